/** A drift report (and the thumbnails made while it was read) as an HtmlPage. */
import { STATUSES } from '../../model.js';
import type { ClassifiedUser } from '../../sync/decide/classify.js';
import type { Report, ReportUser } from '../model.js';
import type { DiffGrid, HtmlPage, HtmlRow, UserVisual } from './page.js';

/** A block distance drawn at full strength in the heat map (the comparator's ~0.02 is just visible). */
export const DIFF_FULL_SCALE = 0.15;

/**
 * The comparator's explanation of a drifted pair — its block distances (row-major, a square grid; issue 12's
 * `blocks` on the classified user) — as the heat map's grid, scaled to 0…1. Undefined when there is none.
 */
export function diffFromBlocks(blocks: readonly number[] | undefined): DiffGrid | undefined {
  if (!blocks || blocks.length === 0) return undefined;
  const side = Math.round(Math.sqrt(blocks.length));
  if (side * side !== blocks.length) return undefined;
  return { side, cells: blocks.map((b) => (Number.isFinite(b) ? Math.min(1, Math.max(0, b / DIFF_FULL_SCALE)) : 0)) };
}

export function displayName(u: Pick<ClassifiedUser, 'displayName' | 'upn' | 'sAMAccountName' | 'dn'>): string {
  return u.displayName ?? u.upn ?? u.sAMAccountName ?? u.dn;
}

export function rowOf(u: ReportUser, thumbs: UserVisual | undefined): HtmlRow {
  // Where the pictures differ, when the comparator explained it (the drifted user's block distances).
  const diff = thumbs?.diff ?? diffFromBlocks(u.blocks);
  const visual = diff ? { ...thumbs, diff } : thumbs;
  return {
    key: u.objectGuid,
    name: displayName(u),
    upn: u.upn ?? '',
    dn: u.dn,
    status: u.status,
    reason: u.reason,
    distance: u.distance,
    route: u.route,
    routeWhy: u.routeWhy,
    ...(visual ? { visual } : {}),
  };
}

export function reportPage(report: Report): HtmlPage {
  const counts = STATUSES.map((s) => [s, report.summary[s]] as [string, number]);
  return {
    kind: 'report',
    title: 'Photo drift report',
    subtitle: 'On-prem photos against cloud photos; read-only.',
    generatedAt: report.generatedAt,
    counts,
    notes: report.notes,
    rows: report.users.map((u) => rowOf(u, report.visuals?.get(u.objectGuid))),
  };
}
