/**
 * What the decide stage knows of earlier runs: a small, plain input, handed in by the use case (which reads it from
 * the state store). The pure stages never import the store.
 */
import type { Route } from '../../model.js';

/** Why a user stays pending although nothing failed: it waits for its cloud account, or for the tenant policy. */
export type Deferral = 'waiting' | 'blocked';

/** What is remembered of one user: what we pushed, from which source, to which cloud user, and how it ended. */
export interface UserMemory {
  /** The cloud user our last push went to (the claim the state keeps). */
  cloudId?: string;
  route?: Route;
  /** Fingerprint of the source photo our last push was made from (or that was last seen in sync). */
  sourceSha256?: string;
  /** Fingerprint of what we last uploaded; absent after a delete. */
  pushedSha256?: string;
  /** The cloud etag right after our last push (Graph only). */
  cloudEtagAfterPush?: string;
  lastResult?: 'ok' | 'error';
  lastError?: string;
  /** Pending for a reason outside the directory, not for a failure (no retry, no attempt counted). */
  deferred?: Deferral;
}

/** An on-prem user the state says claims a cloud user. */
export interface RememberedClaim {
  objectGuid: string;
  dn?: string;
}

/** Everything the decide stage may ask about earlier runs, for one run. */
export interface RunMemory {
  /** One user's memory, by objectGUID; none for a user without a key or never seen. */
  user(objectGuid: string): UserMemory | undefined;
  /** Who the state says claims a cloud user (owners and tied parties this run may not read). */
  claims(cloudId: string): readonly RememberedClaim[];
  /** Users the state knows as matched: the population the percentage threshold is taken of. */
  knownMatched(): number;
  /**
   * Users the state holds a cloud user or a pending failure for (objectGUIDs, as stored), read in the same pass as
   * the claims: the recorder ends the pending state of those a full read no longer finds, without a second pass.
   */
  holders(): readonly string[];
}

/** No memory at all (a report, a first run). */
export const NO_MEMORY: RunMemory = { user: () => undefined, claims: () => [], knownMatched: () => 0, holders: () => [] };
