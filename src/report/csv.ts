import { REPORT_COLUMNS, cell, type Report } from './model.js';
import { lineSafe } from './safe-text.js';

/** Cells a spreadsheet would run as a formula get a leading apostrophe (CSV injection). */
function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** One field: control characters (NUL, ESC…) and line breaks escaped visibly, formulas neutralised, quoted as needed. */
export function csvField(v: string): string {
  const safe = neutralise(lineSafe(v));
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180 CSV, CRLF line ends, header row first. */
export function renderCsv(report: Report): string {
  const lines = [REPORT_COLUMNS.join(',')];
  for (const u of report.users) lines.push(REPORT_COLUMNS.map((c) => csvField(cell(u, c))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
