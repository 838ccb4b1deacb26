/** The report's stylesheet: one fixed-layout table that wraps instead of scrolling sideways (1,366 px and up). */
export const STYLE = `*{box-sizing:border-box}
body{font:14px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1rem 1.25rem;color:#1d1d1f;background:#fff}
h1{font-size:1.35rem;margin:0 0 .2rem}.sub{color:#555;margin:0 0 .6rem}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0}
.chip{padding:.15rem .6rem;border-radius:1rem;border:1px solid #ccc;background:#f6f6f6}
.note{margin:.3rem 0;padding:.35rem .6rem;background:#fff8e1;border-left:3px solid #f0b400;overflow-wrap:anywhere}
.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.6rem 0;padding:.5rem .6rem;background:#f4f5f7;border-radius:.4rem}
.bar fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .7rem;align-items:center}
.bar legend{float:left;font-weight:600;margin-right:.3rem}
.bar label{white-space:nowrap}
#q{width:16rem;max-width:100%;padding:.25rem .4rem}
.collapsed{margin:.4rem 0;color:#2e5e2e}
button{font:inherit;padding:.2rem .7rem;cursor:pointer}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #e3e3e3;padding:.4rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f4f5f7;position:sticky;top:0;z-index:1}
col.c-photos{width:13.5rem}col.c-user{width:24%}col.c-status{width:8.8rem}col.c-dist{width:5.6rem}col.c-route{width:8.5rem}col.c-action{width:8rem}
.pics{display:flex;gap:.3rem}
.pic{margin:0;text-align:center;font-size:11px;color:#666}
.pic img,.pic canvas,.ph{display:block;width:64px;height:64px;border-radius:4px;border:1px solid #d0d0d0;object-fit:cover;background:#fafafa}
.pic canvas{width:48px;height:48px;margin-top:8px;image-rendering:pixelated}
.ph{display:flex;align-items:center;justify-content:center;text-align:center;font-size:10px;line-height:1.15;padding:2px;color:#777;background:repeating-linear-gradient(45deg,#f6f6f6,#f6f6f6 6px,#efefef 6px,#efefef 12px)}
.name{font-weight:600}.upn{color:#333}.dn{color:#777;font-size:12px}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-weight:600;font-size:12px;background:#eee;white-space:nowrap}
[data-status=drifted] .badge,.chip[data-status=drifted],[data-status=missing-in-cloud] .badge,.chip[data-status=missing-in-cloud]{background:#ffe9c7}
[data-status=overwritten] .badge,.chip[data-status=overwritten],[data-status=low-resolution] .badge,.chip[data-status=low-resolution]{background:#ffe9c7}
[data-status=error] .badge,.chip[data-status=error]{background:#fcd5d5}
[data-status=blocked] .badge,.chip[data-status=blocked]{background:#e6dcf5}
[data-status=unmatched] .badge,.chip[data-status=unmatched],[data-status=missing-in-source] .badge,.chip[data-status=missing-in-source]{background:#dde8f8}
[data-status=in-sync] .badge,.chip[data-status=in-sync]{background:#dcf0df}
td.dist{text-align:right;font-variant-numeric:tabular-nums}
.act{font-weight:600}.res-error{color:#b00020}.res-ok{color:#1e7b34}
.more{margin:.6rem 0}
.empty{padding:1rem;color:#666}`;
