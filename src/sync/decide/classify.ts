/**
 * Classification: one observation in, one status with a human reason out. Pure.
 */
import type { MatchKey, PhotoPrint, PrintComparison, Route, Status } from '../../model.js';
import type { Observation } from './observation.js';
import { checkResolution } from './resolution.js';

export type ComparePrints = (source: PhotoPrint, cloud: PhotoPrint) => PrintComparison;

/** The row every renderer, the planner and the state work from. */
export interface ClassifiedUser {
  upn: string | null;
  dn: string;
  objectGuid: string;
  immutableId: string;
  sAMAccountName: string | null;
  displayName: string | null;
  cloudId: string | null;
  matchedBy: MatchKey | null;
  status: Status;
  reason: string;
  /** Perceptual distance between source and cloud photo, where both exist. */
  distance: number | null;
  route: Route;
  routeWhy: string;
  sourceOrigin: string | null;
  sourceSha256: string | null;
  sourcePhash: string | null;
  /** The source photo's whole fingerprint (hash, size, colour grid), for the state to keep. */
  sourcePrint?: PhotoPrint | null;
  cloudEtag: string | null;
  cloudPhash: string | null;
  /** The cloud photo exists but does not decode: the source replaces it whatever cloudChangedPolicy says. */
  cloudUnreadable?: true;
  /** The cloud photo's whole fingerprint (downloaded or remembered), for the state to keep. */
  cloudPrint?: PhotoPrint | null;
  /**
   * The cloud holds the same picture as the source, but clearly smaller than the source gives (resolution drift,
   * see resolution.ts): drifted, and the loop rule in plan.ts tells a directory-sync overwrite from a first fix.
   */
  undersized?: boolean;
  /** For a drifted user whose photos were compared in colour: where they differ (8×8 block distances, see model). */
  blocks?: number[];
}

function describeCandidates(obs: Observation): string {
  if (obs.match.kind !== 'ambiguous') return '';
  return obs.match.candidates.map((c) => c.userPrincipalName).join(', ');
}

type Verdict = Pick<ClassifiedUser, 'status' | 'reason' | 'distance'> & { undersized?: true; blocks?: number[] };

function verdict(obs: Observation, compare: ComparePrints): Verdict {
  if (obs.readError) return { status: 'error', reason: `directory: ${obs.readError}`, distance: null };
  const m = obs.match;
  if (m.kind === 'none') {
    const tried = m.tried.length > 0 ? m.tried.join('; ') : 'no matchable attribute (immutableId, UPN, mail) on the user';
    return { status: 'unmatched', reason: `no cloud user found (tried ${tried})`, distance: null };
  }
  if (m.kind === 'ambiguous') {
    return { status: 'unmatched', reason: `${m.by} matches several cloud users (${describeCandidates(obs)}); not guessing`, distance: null };
  }
  if (obs.source.error) return { status: 'error', reason: `source photo: ${obs.source.error}`, distance: null };
  const cloud = obs.cloud;
  if (!cloud || cloud.error) return { status: 'error', reason: `cloud photo: ${cloud?.error ?? 'not read'}`, distance: null };

  const src = obs.source.print;
  const cloudHas = cloud.meta?.exists === true;
  if (!src && !cloudHas) return { status: 'in-sync', reason: 'no photo on either side', distance: null };
  if (src && !cloudHas) return { status: 'missing-in-cloud', reason: `the cloud has no photo; the source has one (${obs.source.origin ?? 'source'})`, distance: null };
  if (!src && cloudHas) return { status: 'missing-in-source', reason: 'cloud has a photo; the source has none', distance: null };
  if (cloud.unreadable) {
    return src
      ? { status: 'drifted', reason: `the cloud photo is unreadable (${cloud.unreadable}); the source photo replaces it`, distance: null }
      : { status: 'missing-in-source', reason: `cloud has an unreadable photo (${cloud.unreadable}); the source has none`, distance: null };
  }
  if (!src || !cloud.print) return { status: 'error', reason: 'cloud photo exists but could not be fingerprinted', distance: null };

  const cmp = compare(src, cloud.print);
  const d = Math.round(cmp.distance * 1000) / 1000;
  const origin = obs.source.origin ?? 'source';
  if (!cmp.same) {
    const reason = `cloud photo differs from ${origin}${cmp.why ? `: ${cmp.why}` : ''} (distance ${d})`;
    return { status: 'drifted', reason, distance: d, ...(cmp.blocks ? { blocks: cmp.blocks } : {}) };
  }
  // Same picture; the size is read from Graph's metadata (no download needed to know it).
  const size = checkResolution(src, cloud.meta ?? {});
  if (size.undersized) return { status: 'drifted', reason: `same picture as ${origin}, but ${size.reason}`, distance: d, undersized: true };
  return { status: 'in-sync', reason: `same picture (distance ${d})`, distance: d };
}

function verdictFields(v: Verdict): Pick<ClassifiedUser, 'status' | 'reason' | 'distance' | 'undersized' | 'blocks'> {
  return { status: v.status, reason: v.reason, distance: v.distance, undersized: v.undersized === true, ...(v.blocks ? { blocks: v.blocks } : {}) };
}

export function classify(obs: Observation, compare: ComparePrints): ClassifiedUser {
  const cloudUser = obs.match.kind === 'matched' ? obs.match.cloud : null;
  return {
    upn: obs.user.userPrincipalName ?? null,
    dn: obs.user.dn,
    objectGuid: obs.user.objectGuid,
    immutableId: obs.user.immutableId,
    sAMAccountName: obs.user.sAMAccountName ?? null,
    displayName: obs.user.displayName ?? null,
    cloudId: cloudUser?.id ?? null,
    matchedBy: obs.match.kind === 'matched' ? obs.match.by : null,
    ...verdictFields(verdict(obs, compare)),
    route: obs.route.route,
    routeWhy: obs.route.why,
    sourceOrigin: obs.source.origin ?? null,
    sourceSha256: obs.source.print?.sha256 ?? null,
    sourcePhash: obs.source.print?.phash ?? null,
    sourcePrint: obs.source.print ?? null,
    cloudEtag: obs.cloud?.meta?.etag ?? null,
    cloudPhash: obs.cloud?.print?.phash ?? null,
    ...(obs.cloud?.unreadable !== undefined && obs.source.print ? { cloudUnreadable: true as const } : {}),
    cloudPrint: obs.cloud?.print ?? null,
  };
}

export type StatusCounts = Record<Status, number> & { total: number };

export function summarise(users: Iterable<Pick<ClassifiedUser, 'status'>>): StatusCounts {
  const counts: StatusCounts = {
    total: 0,
    'in-sync': 0,
    drifted: 0,
    'missing-in-cloud': 0,
    'missing-in-source': 0,
    unmatched: 0,
    blocked: 0,
    error: 0,
  };
  for (const u of users) {
    counts.total += 1;
    counts[u.status] += 1;
  }
  return counts;
}
