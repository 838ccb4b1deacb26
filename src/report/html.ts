/**
 * `report --format html`: a self-contained page with the photos of every user that needs attention side by side
 * (see src/report/html/ and docs/report-format.md). Escaping, control-character stripping and the CSP live there.
 */
import type { Report } from './model.js';
import { reportPage } from './html/from-report.js';
import { renderHtmlPage } from './html/render.js';

export { escapeHtml } from './html/clean.js';

export function renderHtml(report: Report): string {
  return renderHtmlPage(reportPage(report));
}
