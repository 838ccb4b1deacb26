import { STATUSES } from '../model.js';
import { REPORT_COLUMNS, cell, type Report } from './model.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0;white-space:nowrap}
tr.s-drifted,tr.s-missing-in-cloud{background:#fff4e0}tr.s-error{background:#fde8e8}tr.s-blocked{background:#f1ecf8}
tr.s-unmatched,tr.s-missing-in-source{background:#eef3fb}
.summary span{display:inline-block;margin-right:.6rem;padding:.1rem .5rem;border-radius:.8rem;border:1px solid #ddd}
.summary .s-drifted,.summary .s-missing-in-cloud{background:#fff4e0;border-color:#f0c987}
.summary .s-error{background:#fde8e8;border-color:#eba3a3}.summary .s-blocked{background:#f1ecf8;border-color:#c5b3e0}
.summary .s-unmatched,.summary .s-missing-in-source{background:#eef3fb;border-color:#a9bfe3}
.summary .s-in-sync{background:#eaf6ec;border-color:#9fd0a8}
td.c-dn,td.c-reason,td.c-cloudId{overflow-wrap:anywhere}td.c-upn{overflow-wrap:break-word}td.c-dn{min-width:14em}td.c-reason{min-width:16em}
td.c-status,td.c-distance,td.c-route,td.c-matchedBy{white-space:nowrap}td.c-status{font-weight:600}
td.c-distance{text-align:right;font-variant-numeric:tabular-nums}
td.c-objectGuid,td.c-cloudId{font:12px ui-monospace,monospace}
label{margin-right:.8rem;white-space:nowrap}code{font-size:12px}`;

// Filters rows by status; no external resources, works from a file:// URL.
const SCRIPT = `document.querySelectorAll('input[data-status]').forEach(function(box){box.addEventListener('change',function(){
document.querySelectorAll('tr[data-status="'+box.dataset.status+'"]').forEach(function(r){r.hidden=!box.checked;});});});`;

/** A self-contained HTML page: summary, status filters, one row per user. */
export function renderHtml(report: Report): string {
  const present = STATUSES.filter((s) => report.summary[s] > 0);
  const summary = present.map((s) => `<span class="s-${s}">${s}: <b data-count="${s}">${report.summary[s]}</b></span>`).join('');
  const filters = present
    .map((s) => `<label><input type="checkbox" checked data-status="${s}"> ${s}</label>`)
    .join('');
  const head = REPORT_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = report.users
    .map(
      (u) =>
        `<tr class="s-${u.status}" data-status="${u.status}">${REPORT_COLUMNS.map((c) => `<td class="c-${c}">${escapeHtml(cell(u, c))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const notes = report.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Photo drift report ${escapeHtml(report.generatedAt)}</title>
<style>${STYLE}</style></head><body>
<h1>Photo drift report</h1>
<p>Generated ${escapeHtml(report.generatedAt)} — ${report.summary.total} users.</p>
<div class="summary">${summary}</div>${notes}
<p class="filters">${filters}</p>
<table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
