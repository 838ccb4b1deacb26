/**
 * The state store, seen as the small memory inputs the read and decide stages take. Reads only; the recorder
 * (sync/apply/record.ts) does every write.
 */
import { foldGuid, type OnPremUser, type PhotoPrint } from '../model.js';
import { deferredKind } from '../state/pending.js';
import type { StateStore, UserState } from '../state/store.js';
import type { RememberedClaim, RunMemory, UserMemory } from '../sync/decide/memory.js';
import type { ReadMemory } from '../sync/read/read-plan.js';
import { cloudPhashFor, holdsClaimOrFailure } from '../state/user-record.js';
import { decodeStoredPrint } from '../photo/stored-print.js';

/**
 * What the state remembers of a user. A user whose objectGUID could not be read (it is reported as `error`) has no
 * key, so nothing is remembered of it: it is planned from what this run saw and read again by the next full run.
 */
function remembered(state: UserLookup, objectGuid: string): UserState | undefined {
  return objectGuid === '' ? undefined : state.getUser(objectGuid);
}

/** The state reads the read and decide stages make. */
export type UserLookup = Pick<StateStore, 'getUser'>;

/** Records looked up recently, kept for the read: more than a window of users (observe.ts DEFAULT_WINDOW). */
const RECALL_KEPT = 1024;

/** The state's user records as the read stage sees them (see {@link recallOnce}). */
export interface Recall extends Pick<StateStore, 'getUser' | 'allUsers'> {
  /** Reads these users' records in one query, ahead of their lookups. */
  prefetch(objectGuids: readonly string[]): void;
}

/**
 * The state's user records as the read stage sees them: each read from SQLite once, though three lookups want it
 * (source print, cloud print, the planner's memory), and ahead of time in bulk ({@link prefetched}). For one run's
 * read only: nothing writes meanwhile (the recorder writes after the read), and the oldest records are dropped beyond
 * RECALL_KEPT, so memory stays bounded.
 */
export function recallOnce(state: Pick<StateStore, 'getUser' | 'getUsers' | 'allUsers'>): Recall {
  const kept = new Map<string, UserState | undefined>();
  const keep = (key: string, u: UserState | undefined): void => {
    if (kept.size >= RECALL_KEPT) kept.delete(kept.keys().next().value as string);
    kept.set(key, u);
  };
  return {
    getUser(objectGuid) {
      const key = foldGuid(objectGuid);
      if (kept.has(key)) return kept.get(key);
      const u = state.getUser(objectGuid);
      keep(key, u);
      return u;
    },
    prefetch(objectGuids) {
      const keys = objectGuids.map(foldGuid).filter((k) => k !== '' && !kept.has(k));
      if (keys.length === 0) return;
      const found = state.getUsers(keys);
      for (const k of keys) keep(k, found.get(k));
    },
    allUsers: () => state.allUsers(),
  };
}

/** Users taken from the directory at a time for one bulk state read, and the photo bytes they may hold meanwhile. */
const PREFETCH_USERS = 64;
const PREFETCH_BYTES = 4 * 1024 * 1024;

/** The directory's users as they come, their state records read in bulk a few dozen at a time (one query each). */
export async function* prefetched(users: AsyncIterable<OnPremUser>, recall: Recall): AsyncGenerator<OnPremUser> {
  let held: OnPremUser[] = [];
  let bytes = 0;
  const flush = (): OnPremUser[] => {
    recall.prefetch(held.map((u) => u.objectGuid));
    const out = held;
    held = [];
    bytes = 0;
    return out;
  };
  for await (const u of users) {
    held.push(u);
    bytes += u.photo?.bytes.length ?? 0;
    if (held.length >= PREFETCH_USERS || bytes >= PREFETCH_BYTES) yield* flush();
  }
  yield* flush();
}

/** A state record as the planner's memory; a deferral is read from its field (or an old record's error prefix). */
export function userMemory(s: UserState | undefined): UserMemory | undefined {
  if (!s) return undefined;
  const deferred = deferredKind(s);
  const { cloudId, route, sourceSha256, pushedSha256, cloudEtagAfterPush, lastResult, lastError } = s;
  return {
    ...(cloudId !== undefined ? { cloudId } : {}), ...(route !== undefined ? { route } : {}),
    ...(sourceSha256 !== undefined ? { sourceSha256 } : {}), ...(pushedSha256 !== undefined ? { pushedSha256 } : {}),
    ...(cloudEtagAfterPush !== undefined ? { cloudEtagAfterPush } : {}), ...(lastResult !== undefined ? { lastResult } : {}),
    ...(lastError !== undefined ? { lastError } : {}), ...(deferred !== undefined ? { deferred } : {}),
  };
}

/**
 * The decide stage's memory of the state as it was before this run. Claims and the matched population are taken
 * once, at their first use after the read (so a dry run and the real run judge the same plan the same way), without
 * the pending users the read found gone from the directory (`vanished`, filled by the read): those claim nothing.
 */
export function runMemory(state: Pick<StateStore, 'getUser' | 'allUsers'>, vanished: readonly string[] = []): RunMemory {
  let taken: { claims: Map<string, RememberedClaim[]>; matched: number; holders: string[] } | undefined;
  const take = (): NonNullable<typeof taken> => {
    if (taken) return taken;
    const gone = new Set(vanished.map(foldGuid));
    const claims = new Map<string, RememberedClaim[]>();
    const holders: string[] = [];
    let matched = 0;
    for (const u of state.allUsers()) {
      if (holdsClaimOrFailure(u)) holders.push(u.objectGuid);
      if (!u.cloudId || gone.has(foldGuid(u.objectGuid))) continue;
      matched += 1;
      const claim = { objectGuid: u.objectGuid, ...(u.dn ? { dn: u.dn } : {}) };
      const list = claims.get(u.cloudId);
      if (list) list.push(claim);
      else claims.set(u.cloudId, [claim]);
    }
    return (taken = { claims, matched, holders });
  };
  return {
    user: (guid) => userMemory(remembered(state, guid)),
    claims: (cloudId) => take().claims.get(cloudId) ?? [],
    knownMatched: () => take().matched,
    holders: () => take().holders,
  };
}

/** The read stage's memory: the directory's mark, its last full read, the users still pending. */
export function readMemory(state: StateStore, directoryKey: string): ReadMemory {
  return {
    mark: () => state.getMark(directoryKey),
    lastFullRunAt: () => state.lastFullRunAt(directoryKey),
    pending: () => state.usersWithPendingErrors().map((s) => {
      const deferred = deferredKind(s);
      return deferred ? { objectGuid: s.objectGuid, deferred } : { objectGuid: s.objectGuid };
    }),
  };
}

/** The fingerprint remembered for a user's cloud photo at this etag, if any (so it is not downloaded again). */
export function rememberedPrint(state: UserLookup): (guid: string, etag: string) => PhotoPrint | undefined {
  return (guid, etag) => {
    const stored = cloudPhashFor(remembered(state, guid), etag);
    // A value from before the colour stage reads as a print without colour: compared on structure alone, as when
    // it was stored, until the photo is downloaded again (docs/state.md).
    const print = stored === undefined ? undefined : decodeStoredPrint(stored);
    return print ? { sha256: `remembered:${etag}`, ...print } : undefined;
  };
}

/**
 * The fingerprint remembered for a user's source photo when its SHA-256 is the one in state (the photo found in sync,
 * or pushed), so an unchanged photo is not decoded again. Width and height are not remembered (nothing decides on them).
 */
export function rememberedSourcePrint(state: UserLookup): (guid: string, sha256: string) => PhotoPrint | undefined {
  return (guid, sha256) => {
    const u = remembered(state, guid);
    if (u?.sourceSha256 !== sha256 || !u.sourcePhash) return undefined;
    // Only a whole print is reused: one stored before the colour stage (or without its size) is made again from the
    // photo, so the colour comparison and the resolution rule see what they need (docs/state.md).
    const print = decodeStoredPrint(u.sourcePhash);
    return print?.colour && print.width > 0 ? { sha256, ...print } : undefined;
  };
}
