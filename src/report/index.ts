import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import type { Report } from './model.js';
import { renderTable } from './table.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Record<ReportFormat, (r: Report) => string> = {
  table: renderTable,
  json: renderJson,
  csv: renderCsv,
  html: renderHtml,
};

export function renderReport(report: Report, format: ReportFormat): string {
  return RENDERERS[format](report);
}

export type { Report } from './model.js';
