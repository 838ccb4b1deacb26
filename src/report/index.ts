import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson, renderJsonChunks } from './json.js';
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

/** The report as chunks of text to write one after the other (JSON a hundred users at a time; the others whole). */
export function renderReportChunks(report: Report, format: ReportFormat): Iterable<string> {
  return format === 'json' ? renderJsonChunks(report) : [renderReport(report, format)];
}

export type { Report } from './model.js';
