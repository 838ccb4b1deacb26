/**
 * The shared vocabulary of hybrid-photo-sync: what readers produce, what the pure core classifies and
 * plans, and what writers and renderers consume. Plain data, plus the few one-line rules of the vocabulary itself
 * (how an objectGUID is folded, what an immutableId looks like); no I/O.
 */

/** Where a user's photo is, or should be, in step. */
export const STATUSES = [
  'in-sync',
  'drifted',
  'missing-in-cloud',
  'missing-in-source',
  'unmatched',
  'blocked',
  'error',
] as const;
export type Status = (typeof STATUSES)[number];

/** What the planner decides for one user. */
export const ACTIONS = ['set', 'delete', 'skip'] as const;
export type Action = (typeof ACTIONS)[number];

/** Which writer carries a user's photo to the cloud. */
export const ROUTES = ['graph', 'exchange-onprem', 'exchange-legacy'] as const;
export type Route = (typeof ROUTES)[number];

/** msExchRecipientTypeDetails values the router cares about. */
export const RECIPIENT_TYPE = {
  userMailbox: 1n,
  remoteUserMailbox: 2147483648n,
} as const;

/** One photo as read from a source, bytes included (sources stream; nothing holds every photo at once). */
export interface SourcePhoto {
  /** Where it came from: `thumbnailPhoto`, `jpegPhoto`, or `folder:<file name>`. */
  origin: string;
  bytes: Buffer;
}

/** An on-prem user as the directory readers yield it. */
export interface OnPremUser {
  dn: string;
  /** objectGUID in its canonical string form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx). */
  objectGuid: string;
  /** objectGUID bytes as base64: what Entra Connect writes to onPremisesImmutableId by default. */
  immutableId: string;
  sAMAccountName?: string;
  userPrincipalName?: string;
  mail?: string;
  displayName?: string;
  givenName?: string;
  /** Surname (LDAP `sn`). */
  sn?: string;
  employeeId?: string;
  /** userAccountControl bit 2 (ACCOUNTDISABLE). */
  disabled?: boolean;
  uSNChanged?: bigint;
  msExchRecipientTypeDetails?: bigint;
  /** The best photo the sources hold for this user (HR folder, then thumbnailPhoto, then jpegPhoto), or none. */
  photo?: SourcePhoto;
  /** A problem reading this user (bad attribute, unreadable file); the run goes on. */
  readError?: string;
}

/** A cloud user as the Graph reader yields it. */
export interface CloudUser {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  displayName?: string | null;
  onPremisesImmutableId?: string | null;
  onPremisesSyncEnabled?: boolean | null;
}

/** What Graph says about a cloud user's photo, without the bytes. */
export interface CloudPhotoMeta {
  /** false when Graph answered 404 or served the 1×1 placeholder. */
  exists: boolean;
  etag?: string;
  width?: number;
  height?: number;
  contentType?: string;
}

/** A perceptual fingerprint plus the exact hash of the bytes it came from. */
export interface PhotoPrint {
  sha256: string;
  /** Perceptual hash, hex. Compare with `photo/compare.ts`, never with ===. */
  phash: string;
  /**
   * The colour half: an OKLab grid of the centre square (`oklab16:` + base64, see photo/colour-grid.ts). Absent in
   * prints stored before it existed; those compare on structure alone until re-fingerprinted.
   */
  colour?: string;
  width: number;
  height: number;
}

/**
 * An objectGUID as a key: trimmed, braces removed, lower case, so `{ABC…}` and `abc…` name the same user. The state
 * store's `normaliseGuid` is this plus a refusal of the empty key.
 */
export function foldGuid(objectGuid: string): string {
  return objectGuid.trim().replace(/^\{(.*)\}$/, '$1').toLowerCase();
}

/** An immutableId as Entra Connect writes it: the 16 objectGUID bytes in base64. */
export const IMMUTABLE_ID_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** Whether two objectGUIDs name the same user. */
export function sameGuid(a: string, b: string): boolean {
  return foldGuid(a) === foldGuid(b);
}

/** The result of comparing two fingerprints: the same picture or not, and how far apart. */
export interface PrintComparison {
  same: boolean;
  distance: number;
  /** Why they differ, in words (e.g. "part of the picture changed colour"), when the comparator says. */
  why?: string;
  /**
   * Where they differ: 8×8 OKLab distances of the centre square's blocks, row-major from the top-left (about 0.02 is
   * just visible), when both prints have a colour grid. For renderers (the HTML report's drift map).
   */
  blocks?: number[];
}

/** The keys users are matched on, in the configured order. */
export const MATCH_KEYS = ['immutableId', 'userPrincipalName', 'mail'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** The photo attributes hybrid-photo-sync writes on AD user objects (`hps ad`, write modes `ad` and `both`). */
export const AD_PHOTO_ATTRIBUTES = ['thumbnailPhoto', 'jpegPhoto'] as const;
export type AdPhotoAttribute = (typeof AD_PHOTO_ATTRIBUTES)[number];

/** What a user object holds now: absent attributes are undefined. */
export type AdPhotos = Partial<Record<AdPhotoAttribute, Buffer>>;

/** What to put in place: a Buffer replaces the attribute's value(s), null clears it, an absent key is left alone. */
export type AdPhotoChange = Partial<Record<AdPhotoAttribute, Buffer | null>>;

/** The outcome of one AD write. A writer reports failures here; it throws only when it cannot work at all. */
export interface AdWriteResult {
  dn: string;
  ok: boolean;
  /** Stable id: InsufficientAccess, NoSuchObject, ValueRejected, Unavailable, LdapError, FileChanged. */
  errorId?: string;
  message?: string;
  advice?: string;
  retryable?: boolean;
}

/** The entries of a list sorted by `key` whose key starts with `prefix` (binary search); file-name pattern matching. */
export function withKeyPrefix<T extends { key: string }>(sorted: readonly T[], prefix: string): T[] {
  if (prefix === '') return [...sorted];
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as T).key < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: T[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] as T).key.startsWith(prefix); i += 1) out.push(sorted[i] as T);
  return out;
}
