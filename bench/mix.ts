/**
 * The synthetic hybrid tenant's mix, as pure data: which kind each on-prem user is, which pooled picture it
 * shows on each side, and the report summary the product should arrive at. Deterministic in the user index.
 *
 * Per block of 100 users (a fixed permutation, so every block has exactly these counts):
 *   60 in-sync (3 of them matched by UPN: the cloud user has no onPremisesImmutableId),
 *   15 drifted (the cloud shows another picture), 15 missing-in-cloud (5 of them with Graph's 1×1 placeholder),
 *    4 missing-in-source, 3 unmatched (no cloud account), 2 with no photo on either side (in-sync), 1 corrupt.
 * Plus cloud-only accounts (no on-prem user), 5 per 100 on-prem users.
 */

export const KINDS = [
  'in-sync',
  'in-sync-by-upn',
  'drifted',
  'missing-in-cloud',
  'missing-in-cloud-placeholder',
  'missing-in-source',
  'unmatched',
  'no-photo',
  'corrupt',
] as const;
export type Kind = (typeof KINDS)[number];

/** How many of each kind per 100 on-prem users. */
export const PER_HUNDRED: Readonly<Record<Kind, number>> = {
  'in-sync': 57,
  'in-sync-by-upn': 3,
  drifted: 15,
  'missing-in-cloud': 10,
  'missing-in-cloud-placeholder': 5,
  'missing-in-source': 4,
  unmatched: 3,
  'no-photo': 2,
  corrupt: 1,
};

/** Cloud-only accounts per 100 on-prem users. */
export const CLOUD_ONLY_PER_HUNDRED = 5;

/** Thumbnail sides on-prem (AD thumbnails are small: 96 px is Exchange's, 240 px a common HR export). */
export const THUMB_SIDES = [96, 144, 240] as const;
export type ThumbSide = (typeof THUMB_SIDES)[number];

const BUCKETS: readonly Kind[] = KINDS.flatMap((k) => Array.from({ length: PER_HUNDRED[k] }, () => k));
if (BUCKETS.length !== 100) throw new Error(`bench mix must add up to 100, got ${BUCKETS.length}`);

/** 61 is coprime to 100, so i → (61·i) mod 100 visits every bucket once per block of 100 users. */
export function kindOf(i: number): Kind {
  return BUCKETS[(61 * i) % 100] as Kind;
}

/** One on-prem user of the synthetic tenant. */
export interface UserSpec {
  index: number;
  kind: Kind;
  /** Pool picture of the on-prem thumbnail (absent: no on-prem photo). */
  sourcePicture?: number;
  thumbSide: ThumbSide;
  /** The on-prem thumbnail is a truncated JPEG. */
  corrupt: boolean;
  /** Absent: no cloud account. */
  cloud?: {
    /** Pool picture of the cloud photo (absent: no photo). */
    picture?: number;
    placeholder: boolean;
    /** Whether the cloud user carries onPremisesImmutableId (else it is matched by UPN). */
    anchored: boolean;
  };
}

export function userSpec(i: number, pool: number): UserSpec {
  if (!Number.isInteger(pool) || pool < 2) throw new RangeError(`pool must be an integer ≥ 2, got ${pool}`);
  const kind = kindOf(i);
  const picture = i % pool;
  // Another picture for drift: never the same one (offset 1…pool-1).
  const other = (picture + 1 + (i % (pool - 1))) % pool;
  const thumbSide = THUMB_SIDES[i % THUMB_SIDES.length] as ThumbSide;
  const base = { index: i, kind, thumbSide, corrupt: false };
  const cloud = (p: number | undefined, extra: { placeholder?: boolean; anchored?: boolean } = {}) => ({
    ...(p === undefined ? {} : { picture: p }),
    placeholder: extra.placeholder ?? false,
    anchored: extra.anchored ?? true,
  });
  switch (kind) {
    case 'in-sync':
      return { ...base, sourcePicture: picture, cloud: cloud(picture) };
    case 'in-sync-by-upn':
      return { ...base, sourcePicture: picture, cloud: cloud(picture, { anchored: false }) };
    case 'drifted':
      return { ...base, sourcePicture: picture, cloud: cloud(other) };
    case 'missing-in-cloud':
      return { ...base, sourcePicture: picture, cloud: cloud(undefined) };
    case 'missing-in-cloud-placeholder':
      return { ...base, sourcePicture: picture, cloud: cloud(undefined, { placeholder: true }) };
    case 'missing-in-source':
      return { ...base, cloud: cloud(picture) };
    case 'unmatched':
      return { ...base, sourcePicture: picture };
    case 'no-photo':
      return { ...base, cloud: cloud(undefined) };
    case 'corrupt':
      return { ...base, sourcePicture: picture, corrupt: true, cloud: cloud(other) };
  }
}

/** The report's status counts for a tenant of `n` on-prem users, as the product should classify them. */
export interface ExpectedSummary {
  total: number;
  'in-sync': number;
  drifted: number;
  'missing-in-cloud': number;
  'missing-in-source': number;
  unmatched: number;
  blocked: number;
  error: number;
}

export function expectedSummary(n: number): ExpectedSummary {
  const c = countKinds(n);
  return {
    total: n,
    'in-sync': c['in-sync'] + c['in-sync-by-upn'] + c['no-photo'],
    drifted: c.drifted,
    'missing-in-cloud': c['missing-in-cloud'] + c['missing-in-cloud-placeholder'],
    'missing-in-source': c['missing-in-source'],
    unmatched: c.unmatched,
    blocked: 0,
    error: c.corrupt,
  };
}

export function countKinds(n: number): Record<Kind, number> {
  const out = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  for (let i = 0; i < n; i++) out[kindOf(i)] += 1;
  return out;
}

/** What a first reconcile should push: every drifted and missing-in-cloud user (no state yet). */
export function expectedFirstSets(n: number): number {
  const s = expectedSummary(n);
  return s.drifted + s['missing-in-cloud'];
}

/** How many of those sets replace a cloud photo (what the change thresholds count). */
export function expectedOverwrites(n: number): number {
  return expectedSummary(n).drifted;
}

export function cloudOnlyCount(n: number): number {
  return Math.floor((n * CLOUD_ONLY_PER_HUNDRED) / 100);
}

/** Users whose comparison needs the cloud photo's bytes when nothing is remembered (report, first reconcile). */
export function expectedDownloads(n: number): number {
  const c = countKinds(n);
  return c['in-sync'] + c['in-sync-by-upn'] + c.drifted;
}
