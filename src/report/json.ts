import type { Report } from './model.js';
import { REPORT_COLUMNS } from './model.js';

/** `report --format json`: the documented contract (docs/report-format.md). */
export function renderJson(report: Report): string {
  const users = report.users.map((u) => Object.fromEntries(REPORT_COLUMNS.map((c) => [c, u[c] ?? null])));
  return `${JSON.stringify({ generatedAt: report.generatedAt, summary: report.summary, notes: report.notes, users }, null, 2)}\n`;
}
