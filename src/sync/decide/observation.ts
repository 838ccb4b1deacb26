/**
 * What the observe stage saw for one on-prem user: plain data, no photo bytes (only fingerprints), so the pure
 * core can classify and plan without I/O and without holding photos in memory.
 */
import type { CloudPhotoMeta, CloudUser, MatchKey, OnPremUser, PhotoPrint } from '../../model.js';
import type { RouteDecision } from './route.js';

export type UserIdentity = Omit<OnPremUser, 'photo' | 'readError'>;

/** The on-prem side. No print and no error means the source holds no photo for the user. */
export interface SourceSide {
  print?: PhotoPrint;
  origin?: string;
  error?: string;
}

/** The cloud side of a matched user. */
export interface CloudSide {
  meta?: CloudPhotoMeta;
  /** Fingerprint of the cloud photo (downloaded, or remembered for an unchanged etag). */
  print?: PhotoPrint;
  /**
   * The cloud photo was downloaded but does not decode (why). Not an `error`: a broken cloud photo is a reason to
   * push the source, not to stop.
   */
  unreadable?: string;
  error?: string;
}

export type MatchState =
  | { kind: 'matched'; cloud: CloudUser; by: MatchKey }
  | { kind: 'ambiguous'; by: MatchKey; candidates: CloudUser[] }
  | { kind: 'none'; tried: string[] };

export interface Observation {
  user: UserIdentity;
  /** A directory-level problem with this user (bad attribute); photo problems go in source.error. */
  readError?: string;
  source: SourceSide;
  match: MatchState;
  cloud?: CloudSide;
  route: RouteDecision;
}

export function identityOf(user: OnPremUser): UserIdentity {
  const { photo: _photo, readError: _readError, ...identity } = user;
  return identity;
}
