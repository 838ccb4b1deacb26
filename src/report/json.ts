import type { Report } from './model.js';
import { REPORT_COLUMNS } from './model.js';

/** Users per chunk of {@link renderJsonChunks}: a write of some 100 KB. */
const USERS_PER_CHUNK = 100;

/**
 * `report --format json`: the documented contract (docs/report-format.md), as chunks of text that join to exactly
 * `JSON.stringify(report, null, 2)` plus a newline, a hundred users at a time: a tenant's report is written without
 * holding its whole text at once (three copies of it, with the escaping and the file's bytes).
 */
export function* renderJsonChunks(report: Report): Generator<string> {
  const head = { generatedAt: report.generatedAt, summary: report.summary, notes: report.notes };
  if (report.users.length === 0) {
    yield `${JSON.stringify({ ...head, users: [] }, null, 2)}\n`;
    return;
  }
  // The head object without its closing "\n}", then the users array at the depth JSON.stringify would give it.
  let chunk = `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "users": [\n`;
  for (let i = 0; i < report.users.length; i++) {
    const u = report.users[i] as Report['users'][number];
    const row = Object.fromEntries(REPORT_COLUMNS.map((c) => [c, u[c] ?? null]));
    chunk += `${i > 0 ? ',\n' : ''}    ${JSON.stringify(row, null, 2).replace(/\n/g, '\n    ')}`;
    if ((i + 1) % USERS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}\n  ]\n}\n`;
}

/** `report --format json` as one string. */
export function renderJson(report: Report): string {
  return [...renderJsonChunks(report)].join('');
}
