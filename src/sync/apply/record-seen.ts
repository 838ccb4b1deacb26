/**
 * What a run saw of each user, kept in the state so the next run can skip unchanged work and knows who is pending.
 * Used by the recorder (record.ts) only.
 */
import { foldGuid } from '../../model.js';
import type { StateStore, UserPatch } from '../../state/store.js';
import type { Deferral } from '../decide/memory.js';
import type { Decision } from '../decide/plan.js';
import type { ClassifiedUser } from '../decide/classify.js';
import { encodeStoredPrint } from '../../photo/stored-print.js';
import { cloudSeenPatch, holdsClaimOrFailure } from '../../state/user-record.js';

export interface SeenOptions {
  /** Losers of a tie (folded objectGUID → cloud user): they keep the contested cloud user as their claim. */
  contested: ReadonlyMap<string, string>;
  /** A full read: users the state knows but the directory no longer yields lose their claim and stop being pending. */
  full: boolean;
  /** Pending users an incremental read found gone from the directory: they stop being pending. */
  vanished: readonly string[];
  /**
   * After a full read: the users the state holds a claim or a pending failure for, as taken before the run wrote
   * anything (RunMemory.holders); without it the state is read through once more.
   */
  holders?: readonly string[];
}

/** The patch that ends a user's pending state. */
const NOT_PENDING = { attempts: 0, lastResult: null, lastError: null, deferred: null } as const satisfies Partial<UserPatch>;

/** Why a user stays pending although nothing failed: it waits for its cloud account, or for the tenant policy. */
export function deferralOf(d: Decision): Deferral | undefined {
  if (d.status === 'blocked') return 'blocked';
  if (d.user.status === 'unmatched' && d.user.sourceSha256 !== null) return 'waiting';
  return undefined;
}

export function recordSeen(s: StateStore, runId: string, d: Decision, contested: ReadonlyMap<string, string>): void {
  const u = d.user;
  if (u.objectGuid === '') return; // no key to remember it by: planned from what this run saw, read again next full run
  const before = s.getUser(u.objectGuid);
  const deferred = deferralOf(d);
  // A user that was pending and needs nothing now is no longer pending.
  const settled = d.action === 'skip' && d.status !== 'error' && !deferred && before?.lastResult === 'error' ? NOT_PENDING : {};
  // A user matched to nobody this run owns no cloud user (and no longer counts in the threshold population); a
  // party to a tie keeps the contested cloud user as its claim, so a later run that reads only the other party
  // does not hand it over.
  const claim = u.cloudId ?? contested.get(foldGuid(u.objectGuid)) ?? null;
  // In sync: the cloud photo is this source photo, as good as pushed by us. Remember both sides, so a later
  // change is attributed to the right side (cloud-changed policy) and a cleared source may delete it.
  const inSync = u.status === 'in-sync' && u.sourceSha256 && u.sourcePhash && u.cloudEtag && d.action === 'skip'
    ? { sourceSha256: u.sourceSha256, sourcePhash: storedSourcePrint(u) ?? u.sourcePhash, cloudEtagAfterPush: u.cloudEtag }
    : {};
  // The cloud print is kept in its stored form (hash, size, colour grid); see photo/stored-print.ts.
  const downloaded = u.cloudPhash && u.cloudEtag ? { phash: u.cloudPrint ? encodeStoredPrint(u.cloudPrint) : u.cloudPhash } : {};
  const cloudSeen = u.cloudId && u.status !== 'error' && u.status !== 'unmatched' ? cloudSeenPatch({ objectGuid: u.objectGuid, etag: u.cloudEtag, runId, ...downloaded }) : {};
  // One read and at most one write per user: a user seen just as before is not written at all (state/backend.ts).
  s.upsertUser({ ...cloudSeen, objectGuid: u.objectGuid, dn: u.dn, ...(u.upn ? { upn: u.upn } : {}), cloudId: claim, route: u.route, ...settled, ...inSync });
  if (d.status === 'error') s.recordFailure({ objectGuid: u.objectGuid, runId, error: d.reason, action: 'skip' });
  // Deferred: pending like a failure, but no attempt counted and what was pushed before untouched.
  else if (deferred) s.upsertUser({ objectGuid: u.objectGuid, lastResult: 'error', lastError: deferred === 'waiting' ? u.reason : d.reason, deferred, lastRunId: runId });
}

/** Users that stop being pending (and lose their claim) because the directory no longer yields them. */
export function notPending(s: StateStore, decisions: readonly Decision[], opts: SeenOptions): string[] {
  const gone = [...opts.vanished];
  if (!opts.full) return gone;
  const inRun = new Set(decisions.map((d) => foldGuid(d.user.objectGuid)));
  for (const guid of opts.holders ?? stateHolders(s)) if (!inRun.has(foldGuid(guid))) gone.push(guid);
  return gone;
}

/** The users the state holds a cloud user or a pending failure for, read through (RunMemory.holders does it once). */
function* stateHolders(s: StateStore): Generator<string> {
  for (const u of s.allUsers()) if (holdsClaimOrFailure(u)) yield u.objectGuid;
}

/**
 * The source print in its stored form (hash, size, colour grid; photo/stored-print.ts), so a later run that finds the
 * same SHA-256 can reuse it whole instead of decoding the photo again.
 */
export function storedSourcePrint(u: Pick<ClassifiedUser, 'sourcePrint' | 'sourcePhash'>): string | undefined {
  if (u.sourcePrint) return encodeStoredPrint(u.sourcePrint);
  return u.sourcePhash ?? undefined;
}
