/** The report as data: what every renderer receives. */
import type { ClassifiedUser, StatusCounts } from '../sync/decide/classify.js';
import type { UserVisual } from './html/page.js';

export interface Report {
  generatedAt: string;
  summary: StatusCounts;
  users: ClassifiedUser[];
  /** Tenant-level facts worth a line above the table (photo policy, skipped sources…). */
  notes: string[];
  /** Thumbnails (and where they differ) of users that need attention, made while the report was read; HTML only. */
  visuals?: ReadonlyMap<string, UserVisual>;
}

/** The per-user fields of the JSON contract (docs/report-format.md), in order. */
export const REPORT_COLUMNS = ['upn', 'dn', 'objectGuid', 'status', 'reason', 'distance', 'route', 'routeWhy', 'matchedBy', 'cloudId'] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

export function cell(user: ClassifiedUser, col: ReportColumn): string {
  const v = user[col];
  return v === null || v === undefined ? '' : String(v);
}
