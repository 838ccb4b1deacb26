/** The report as data: what every renderer receives. */
import type { ClassifiedUser, StatusCounts } from '../sync/decide/classify.js';
import type { UserVisual } from './html/page.js';

/**
 * What a report keeps of a classified user: the columns of the JSON contract, the names the table and the HTML page
 * show, and where a drifted pair differs. Rows are held until the sort at the end, so nothing else is kept (at 10,000
 * users the whole classified users took some 25 MB more of resident memory than no rows at all).
 */
export type ReportUser = Pick<ClassifiedUser, ReportColumn | 'displayName' | 'sAMAccountName'> & Pick<Partial<ClassifiedUser>, 'blocks'>;

export interface Report {
  generatedAt: string;
  summary: StatusCounts;
  users: ReportUser[];
  /** Tenant-level facts worth a line above the table (photo policy, skipped sources…). */
  notes: string[];
  /** Thumbnails (and where they differ) of users that need attention, made while the report was read; HTML only. */
  visuals?: ReadonlyMap<string, UserVisual>;
}

/** The per-user fields of the JSON contract (docs/report-format.md), in order. */
export const REPORT_COLUMNS = ['upn', 'dn', 'objectGuid', 'status', 'reason', 'distance', 'route', 'routeWhy', 'matchedBy', 'cloudId'] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

export function cell(user: ReportUser, col: ReportColumn): string {
  const v = user[col];
  return v === null || v === undefined ? '' : String(v);
}
