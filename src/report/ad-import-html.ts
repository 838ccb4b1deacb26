/**
 * `hps ad import --format html`: one self-contained page (no scripts, no external requests) with the automatch lists
 * and, per planned user, the source with the square drawn on it next to the picture AD would get. Pure: the images
 * arrive in the data as data: URIs (`candidate.preview`).
 */
import type { AdDecision, AdImportResult } from '../sync/decide/ad-plan.js';
import type { OnPremUser } from '../model.js';

/** Text for HTML: control characters dropped (NUL and friends have no business in a page), markup escaped. */
function esc(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const who = (u: OnPremUser): string => esc(u.userPrincipalName ?? u.sAMAccountName ?? u.dn);

function section(title: string, items: string[]): string {
  if (items.length === 0) return '';
  return `<h2>${esc(title)} (${items.length})</h2><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
}

const PREVIEW_WIDTH = 200;

function previewCell(d: AdDecision): string {
  const c = d.candidate;
  if (!c?.preview) return '<td></td><td></td>';
  const scale = PREVIEW_WIDTH / c.crop.width;
  const box = [c.crop.left, c.crop.top, c.crop.side, c.crop.side].map((n) => `${Math.round(n * scale)}px`);
  const src = c.preview.source.startsWith('data:image/jpeg;base64,') ? c.preview.source : '';
  const res = c.preview.result.startsWith('data:image/jpeg;base64,') ? c.preview.result : '';
  return (
    `<td><div class="src"><img alt="source" width="${PREVIEW_WIDTH}" src="${src}">` +
    `<div class="crop" style="left:${box[0]};top:${box[1]};width:${box[2]};height:${box[3]}"></div></div></td>` +
    `<td><img alt="result" width="128" height="128" src="${res}"><br>${c.side} px, q${c.quality}, ${(c.bytes / 1024).toFixed(1)} KB</td>`
  );
}

function planRows(r: AdImportResult): string {
  const rows = r.decisions.filter((d) => d.candidate || d.action !== 'skip' || d.status === 'error');
  if (rows.length === 0) return '';
  const body = rows
    .map((d) => `<tr class="${esc(d.status)}"><td>${who(d.user)}<br><small>${esc(d.file ?? '')}</small></td><td>${esc(d.status)}</td><td>${esc(d.action)}</td>${previewCell(d)}<td>${esc(d.reason)}</td></tr>`)
    .join('');
  return `<h2>${r.dryRun ? 'Plan (dry run: nothing written)' : 'Plan'}</h2><table><thead><tr><th>user / file</th><th>status</th><th>action</th><th>source and square</th><th>AD gets</th><th>why</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function adImportHtml(r: AdImportResult): string {
  const a = r.automatch;
  const s = r.summary;
  const parts = [
    section('Matched (file → user)', a.matched.map((m) => `${esc(m.file)} → ${who(m.user)}`)),
    section('Files without a user', a.filesWithoutUser.map(esc)),
    section('Users without a file', a.usersWithoutFile.map(who)),
    section('Ambiguous: a file that fits several users (nothing written)', a.ambiguousFiles.map((x) => `${esc(x.file)} → ${x.users.map(who).join(', ')}`)),
    section('Ambiguous: a user several files fit (nothing written)', a.ambiguousUsers.map((x) => `${who(x.user)} ← ${x.files.map(esc).join(', ')}`)),
    r.matchOnly ? '' : planRows(r),
    r.matchOnly ? '' : `<p>${s.set} to write (${s.overwrite} replacing a photo), ${s.delete} to remove, ${s.byStatus['in-sync']} in sync, ${s.errors} errors.</p>`,
    r.refused ? `<p class="refused">REFUSED: ${esc(r.refused)}</p>` : '',
    r.written ? `<p>written: ${r.written.ok} ok, ${r.written.failed} failed</p>` : '',
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>hps ad import</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
.src{position:relative;display:inline-block;line-height:0}.crop{position:absolute;border:2px solid #e00;box-sizing:border-box}
tr.error td{background:#fee}.refused{color:#b00;font-weight:bold}small{color:#666}
</style></head><body>
<h1>Photos into Active Directory</h1>
<p>Automatch: ${a.matched.length} matched, ${a.filesWithoutUser.length} files without a user, ${a.usersWithoutFile.length} users without a file, ${a.ambiguousFiles.length} ambiguous files, ${a.ambiguousUsers.length} ambiguous users.</p>
${parts.join('\n')}
</body></html>
`;
}
