/**
 * One self-contained HTML file from an HtmlPage: markup for the frame (title, counts, notes, filters), the users as
 * a JSON data block, the stylesheet and the script inline. A Content-Security-Policy allows exactly that style and
 * that script (by hash) and images from data: URIs; every network fetch is forbidden, so the file works offline and
 * from a file share and can never call out.
 */
import { createHash } from 'node:crypto';
import { clean, escapeHtml, jsonForScript, safeImageUri } from './clean.js';
import { needsAttention, statusRank, type DiffGrid, type HtmlPage, type HtmlRow } from './page.js';
import { SCRIPT } from './script.js';
import { STYLE } from './style.js';

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

export const CSP = [
  "default-src 'none'",
  'img-src data:',
  `style-src 'sha256-${STYLE_HASH}'`,
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function safeDiff(d: DiffGrid | undefined): { side: number; cells: number[] } | null {
  if (!d || !Number.isInteger(d.side) || d.side < 1 || d.side > 64 || d.cells.length !== d.side * d.side) return null;
  return { side: d.side, cells: d.cells.map((v) => (Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 100) / 100 : 0)) };
}

/** The first RDN and its parent (`CN=A\\, B,OU=x,DC=y` → `CN=A\\, B` and `OU=x,DC=y`). */
export function splitDn(dn: string): [string, string] {
  const m = /^((?:[^,\\]|\\.)*),(.*)$/s.exec(dn);
  return m ? [m[1] as string, m[2] as string] : [dn, ''];
}

/**
 * The data block: one array per row; repeated strings (statuses, routes, reasons, route reasons, parent DNs) go
 * once into a string table and rows point at them, which halves the data at 10,000 users.
 */
function dataBlock(page: HtmlPage): string {
  const table: string[] = [];
  const at = new Map<string, number>();
  const ref = (v: string): number => {
    let i = at.get(v);
    if (i === undefined) {
      i = table.push(v) - 1;
      at.set(v, i);
    }
    return i;
  };
  const rows = page.rows.map((r: HtmlRow) => {
    const [dnHead, dnParent] = splitDn(clean(r.dn));
    return [
      clean(r.name),
      clean(r.upn),
      dnHead,
      ref(dnParent),
      ref(clean(r.status)),
      ref(clean(r.reason)),
      r.distance !== null && Number.isFinite(r.distance) ? r.distance : null,
      ref(clean(r.route)),
      ref(clean(r.routeWhy)),
      ref(clean(r.action ?? '')),
      ref(clean(r.result ?? '')),
      safeImageUri(r.visual?.thumbs?.source) ?? 0,
      safeImageUri(r.visual?.thumbs?.cloud) ?? 0,
      ref(photoNote(r, 'source')),
      ref(photoNote(r, 'cloud')),
      safeDiff(r.visual?.diff) ?? 0,
    ];
  });
  const ranks = table.map((v) => statusRank(v));
  return jsonForScript({ kind: page.kind, table, ranks, rows });
}

/** What stands in for a photo the report has no thumbnail of. */
export function photoNote(r: HtmlRow, side: 'source' | 'cloud'): string {
  if (side === 'source') {
    if (r.status === 'missing-in-source') return 'no photo';
    if (r.status === 'error' && /^source photo:/.test(r.reason)) return 'unreadable';
    return r.status === 'in-sync' && r.distance === null ? 'no photo' : '';
  }
  if (r.status === 'missing-in-cloud') return 'no photo';
  if (r.status === 'unmatched') return 'no cloud user';
  if (r.status === 'missing-in-source') return 'not read';
  if (r.status === 'error' && /^cloud photo:/.test(r.reason)) return 'unreadable';
  if (r.status === 'error') return 'not read';
  return r.status === 'in-sync' && r.distance === null ? 'no photo' : '';
}

function checkbox(name: string, value: string, label: string, checked: boolean): string {
  return `<label><input type="checkbox" name="${name}" value="${escapeHtml(value)}"${checked ? ' checked' : ''}> ${escapeHtml(label)}</label>`;
}

export function renderHtmlPage(page: HtmlPage): string {
  const present = page.counts.filter(([, n]) => n > 0);
  const total = page.rows.length;
  const chips = present.map(([s, n]) => `<span class="chip" data-status="${escapeHtml(s)}">${escapeHtml(s)}: <b data-count="${escapeHtml(s)}">${n}</b></span>`).join('');
  const statusBoxes = present.map(([s, n]) => checkbox('status', s, `${s} (${n})`, needsAttention(s))).join('');
  const routeCounts = new Map<string, number>();
  for (const r of page.rows) routeCounts.set(clean(r.route), (routeCounts.get(clean(r.route)) ?? 0) + 1);
  const routeBoxes = [...routeCounts].map(([r, n]) => checkbox('route', r, `${r} (${n})`, true)).join('');
  const inSync = page.counts.find(([s]) => s === 'in-sync')?.[1] ?? 0;
  const collapsed =
    inSync > 0
      ? `<p class="collapsed">${inSync} in-sync ${inSync === 1 ? 'user is' : 'users are'} not listed. <button type="button" id="show-in-sync">Show them</button></p>`
      : '';
  const notes = page.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  const planCol = page.kind === 'plan' ? '<col class="c-action">' : '';
  const planHead = page.kind === 'plan' ? '<th scope="col">Action</th>' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)} ${escapeHtml(page.generatedAt)}</title>
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(page.title)}</h1>
<p class="sub">${escapeHtml(page.subtitle)} Generated ${escapeHtml(page.generatedAt)} — ${total} users.</p>
<div class="chips">${chips}</div>${notes}
<div class="bar" role="search">
<fieldset><legend>Status</legend>${statusBoxes}</fieldset>
<fieldset><legend>Route</legend>${routeBoxes}</fieldset>
<label>Search <input id="q" type="search" placeholder="name, UPN, DN or reason" autocomplete="off"></label>
<label>Sort by <select id="sort"><option value="status">status</option><option value="name">name</option><option value="distance">distance</option></select></label>
</div>${collapsed}
<p id="shown" aria-live="polite"></p>
<table><colgroup><col class="c-photos"><col class="c-user"><col class="c-status"><col class="c-dist"><col class="c-route">${planCol}<col></colgroup>
<thead><tr><th scope="col">On-prem · cloud</th><th scope="col">User</th><th scope="col">Status</th><th scope="col">Distance</th><th scope="col">Route</th>${planHead}<th scope="col">Reason</th></tr></thead>
<tbody id="rows"></tbody></table>
<p class="more"><button type="button" id="more" hidden>Show more</button></p>
<noscript><p>This report draws its rows with JavaScript; the same data is in <code>hps report --format json</code>.</p></noscript>
<script type="application/json" id="hps-data">${dataBlock(page)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
