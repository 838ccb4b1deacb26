import { STATUSES } from '../model.js';
import type { Report, ReportUser } from './model.js';
import { lineSafe } from './safe-text.js';

/** Cells hold directory text: `get` results pass through lineSafe (no terminal escapes, one line). */
const COLUMNS: Array<{ title: string; get: (u: ReportUser) => string; max: number }> = [
  { title: 'USER', get: (u) => lineSafe(u.upn ?? u.sAMAccountName ?? u.dn), max: 40 },
  { title: 'STATUS', get: (u) => u.status, max: 18 },
  { title: 'DIST', get: (u) => (u.distance === null ? '' : u.distance.toFixed(3)), max: 6 },
  { title: 'ROUTE', get: (u) => u.route, max: 16 },
  { title: 'REASON', get: (u) => lineSafe(u.reason), max: 90 },
];

function fit(s: string, width: number): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

/** A plain aligned table for terminals: users first, summary last. */
export function renderTable(report: Report): string {
  const widths = COLUMNS.map((c) => Math.min(c.max, Math.max(c.title.length, ...report.users.map((u) => c.get(u).length))));
  const row = (vals: string[]): string => vals.map((v, i) => fit(v, widths[i] ?? v.length)).join('  ').trimEnd();
  const out = [row(COLUMNS.map((c) => c.title))];
  for (const u of report.users) out.push(row(COLUMNS.map((c) => c.get(u))));
  const counts = STATUSES.filter((s) => report.summary[s] > 0).map((s) => `${s} ${report.summary[s]}`);
  out.push('', `${report.summary.total} users: ${counts.join(', ') || 'none'}`);
  for (const n of report.notes) out.push(`note: ${lineSafe(n)}`);
  return `${out.join('\n')}\n`;
}
