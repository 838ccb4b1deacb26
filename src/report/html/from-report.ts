/** A drift report (and the thumbnails made while it was read) as an HtmlPage. */
import { STATUSES } from '../../model.js';
import type { ClassifiedUser } from '../../sync/decide/classify.js';
import type { Report } from '../model.js';
import type { HtmlPage, HtmlRow, UserVisual } from './page.js';

export function displayName(u: Pick<ClassifiedUser, 'displayName' | 'upn' | 'sAMAccountName' | 'dn'>): string {
  return u.displayName ?? u.upn ?? u.sAMAccountName ?? u.dn;
}

export function rowOf(u: ClassifiedUser, visual: UserVisual | undefined): HtmlRow {
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
