/**
 * The report use case: read everyone in scope (or one user), classify, settle claims, gather the rows. Read-only.
 */
import type { CloudConnection } from '../cloud/connect.js';
import type { Config } from '../config/schema.js';
import type { DirectorySource } from '../directory/source.js';
import { fingerprint } from '../photo/fingerprint.js';
import type { Report, ReportUser } from '../report/model.js';
import { resolveClaims } from '../sync/decide/claims.js';
import { classify, summarise, type ClassifiedUser } from '../sync/decide/classify.js';
import { selectorsFor } from '../sync/read/identify.js';
import { directoryScope, observeScope, singleUserScope } from '../sync/read/scope.js';
import type { ThumbnailCollector } from './thumbnails.js';
import { allowanceOf, comparator, routingFrom } from './wiring.js';

export interface ReportDeps {
  cfg: Config;
  directory: DirectorySource;
  /** With its in-flight budget (`limiter`), the read window follows the budget's allowance. */
  cloud: Pick<CloudConnection, 'reader' | 'readPolicy'> & Partial<Pick<CloudConnection, 'limiter'>>;
  now?: () => Date;
  onUser?: (u: ClassifiedUser) => void;
  /** For the HTML report: thumbnails of users needing attention, made from the bytes as they pass by. */
  thumbnails?: ThumbnailCollector;
}

/**
 * A report row keeps what the report shows (`ReportUser`), made as each user is read: the fingerprints, hashes and
 * etags a reconcile keeps for the state are dropped at once, so the rows held until the sort stay small.
 */
export function reportRow(u: ClassifiedUser): ReportUser {
  const row: ReportUser = {
    upn: u.upn, dn: u.dn, objectGuid: u.objectGuid, status: u.status, reason: u.reason, distance: u.distance, route: u.route,
    routeWhy: u.routeWhy, matchedBy: u.matchedBy, cloudId: u.cloudId, displayName: u.displayName, sAMAccountName: u.sAMAccountName,
  };
  if (u.blocks) row.blocks = u.blocks;
  return row;
}

export async function buildReport(deps: ReportDeps, opts: { user?: string } = {}): Promise<Report> {
  const { cfg } = deps;
  const started = (deps.now ?? (() => new Date()))();
  const policy = await deps.cloud.readPolicy();
  const notes: string[] = [];
  if (!policy.allowsCloudWrites) notes.push(`tenant photo policy: ${policy.detail}`);
  else if (policy.source === 'unknown') notes.push(`tenant photo policy unknown: ${policy.detail}`);

  const read: Array<{ user: ReportUser; seq: number }> = [];
  const reader = deps.cloud.reader;
  const scope = opts.user
    ? await singleUserScope(deps.directory, reader, selectorsFor(opts.user), opts.user)
    : await directoryScope(deps.directory.users(), reader);
  const compare = comparator(cfg);
  const { thumbnails } = deps;
  const readDeps = { reader, fingerprint, matchOrder: cfg.matching.order, routing: routingFrom(cfg), ...(thumbnails ? { keepCloudBytes: true } : {}), ...allowanceOf(deps.cloud) };
  for await (const { observation, photo, cloudPhoto, seq } of observeScope(readDeps, scope)) {
    const u = classify(observation, compare);
    read.push({ user: reportRow(u), seq });
    await thumbnails?.add({ objectGuid: u.objectGuid, status: u.status, ...(photo ? { source: photo.bytes } : {}), ...(cloudPhoto ? { cloud: cloudPhoto } : {}) });
    deps.onUser?.(u);
  }
  // Users complete in any order; the report lists them in directory order.
  const users = read.sort((a, b) => a.seq - b.seq).map((x) => x.user);
  // As a sync does: a cloud user claimed by several on-prem users goes to the strongest key, ties to nobody.
  const resolved = resolveClaims(users).users;
  return { generatedAt: started.toISOString(), summary: summarise(resolved), users: resolved, notes, ...(thumbnails ? { visuals: thumbnails.visuals } : {}) };
}
