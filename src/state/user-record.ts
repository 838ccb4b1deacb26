/**
 * The rules for how a user's state changes, as pure functions from (previous record, event, now) to the
 * next record. Every store implementation goes through these, so they behave the same.
 */
import { ACTIONS, ROUTES } from '../model.js';
import { DEFERRED_KINDS } from './store.js';
import { normaliseGuid } from './keys.js';
import { scrubText } from './redact.js';
import type { CloudSeen, FailureRecord, PushRecord, UserFields, UserPatch, UserState } from './store.js';

/** The optional fields of a user record, in storage order. */
export const USER_FIELDS = [
  'dn',
  'upn',
  'cloudId',
  'route',
  'sourceSha256',
  'sourcePhash',
  'pushedSha256',
  'pushedPhash',
  'cloudEtagAfterPush',
  'lastCloudEtagSeen',
  'cloudPhash',
  'cloudPhashEtag',
  'lastAction',
  'lastResult',
  'lastError',
  'deferred',
  'lastRunId',
] as const satisfies readonly (keyof UserFields)[];

type Missing<T> = Exclude<keyof T, (typeof USER_FIELDS)[number]>;
// Compile-time check that USER_FIELDS lists every field of UserFields.
const _allFieldsListed: Missing<UserFields> extends never ? true : never = true;
void _allFieldsListed;

/** A new, empty record. */
export function emptyUser(objectGuid: string, now: Date): UserState {
  return { objectGuid: normaliseGuid(objectGuid), attempts: 0, updatedAt: now };
}

function validate(next: UserState): UserState {
  if (next.route !== undefined && !(ROUTES as readonly string[]).includes(next.route)) {
    throw new TypeError(`unknown route ${String(next.route)}`);
  }
  if (next.lastAction !== undefined && !(ACTIONS as readonly string[]).includes(next.lastAction)) {
    throw new TypeError(`unknown action ${String(next.lastAction)}`);
  }
  if (next.lastResult !== undefined && next.lastResult !== 'ok' && next.lastResult !== 'error') {
    throw new TypeError(`unknown result ${String(next.lastResult)}`);
  }
  if (next.deferred !== undefined && !(DEFERRED_KINDS as readonly string[]).includes(next.deferred)) {
    throw new TypeError(`unknown deferral ${String(next.deferred)}`);
  }
  if (!Number.isSafeInteger(next.attempts) || next.attempts < 0) {
    throw new TypeError(`attempts must be a non-negative integer, got ${String(next.attempts)}`);
  }
  return next;
}

/** Apply a patch: undefined keeps a field, null clears it; updatedAt becomes `now`. */
export function applyPatch(prev: UserState | undefined, patch: UserPatch, now: Date): UserState {
  const next: UserState = { ...(prev ?? emptyUser(patch.objectGuid, now)) };
  const fields = patch as Partial<Record<(typeof USER_FIELDS)[number], unknown>>;
  const target = next as unknown as Record<string, unknown>;
  for (const field of USER_FIELDS) {
    const value = fields[field];
    if (value === null) delete target[field];
    else if (value !== undefined) target[field] = value;
  }
  if (patch.attempts !== undefined) next.attempts = patch.attempts;
  if (next.lastError !== undefined) next.lastError = scrubText(next.lastError);
  next.updatedAt = now;
  return validate(next);
}

function identity(r: { dn?: string; upn?: string; cloudId?: string; route?: UserState['route'] }) {
  return { dn: r.dn, upn: r.upn, cloudId: r.cloudId, route: r.route };
}

/** A successful set or delete. */
export function applyPush(prev: UserState | undefined, push: PushRecord, now: Date): UserState {
  const common: UserPatch = {
    objectGuid: push.objectGuid,
    ...identity(push),
    sourceSha256: push.sourceSha256,
    sourcePhash: push.sourcePhash,
    lastAction: push.action,
    lastResult: 'ok',
    lastError: null,
    deferred: null,
    attempts: 0,
    lastRunId: push.runId,
    // The cloud photo changed: a fingerprint of the old one describes nothing now.
    cloudPhash: null,
    cloudPhashEtag: null,
  };
  if (push.action === 'set') {
    return applyPatch(prev, {
      ...common,
      pushedSha256: push.pushedSha256,
      pushedPhash: push.pushedPhash,
      // Unknown etag (Exchange route): clear rather than keep one that is now known to be out of date.
      cloudEtagAfterPush: push.etag ?? null,
      lastCloudEtagSeen: push.etag ?? null,
    }, now);
  }
  return applyPatch(prev, {
    ...common,
    // Nothing of ours is in the cloud any more: a photo that appears there later is not ours to delete.
    sourceSha256: null,
    sourcePhash: null,
    pushedSha256: null,
    pushedPhash: null,
    cloudEtagAfterPush: null,
    lastCloudEtagSeen: null,
  }, now);
}

/** A failed attempt: one more consecutive failure; what was pushed before stays as it was. */
export function applyFailure(prev: UserState | undefined, failure: FailureRecord, now: Date): UserState {
  return applyPatch(prev, {
    objectGuid: failure.objectGuid,
    ...identity(failure),
    lastAction: failure.action,
    lastResult: 'error',
    lastError: failure.error,
    deferred: null,
    attempts: (prev?.attempts ?? 0) + 1,
    lastRunId: failure.runId,
  }, now);
}

/** What a run saw in the cloud. A phash is stored against the etag it was computed for. */
export function applyCloudSeen(prev: UserState | undefined, seen: CloudSeen, now: Date): UserState {
  return applyPatch(prev, cloudSeenPatch(seen), now);
}

/** What a run's look at a user's cloud photo changes in the record (no photo: no fingerprint either). */
export function cloudSeenPatch(seen: CloudSeen): UserPatch {
  if (seen.etag === null) {
    return { objectGuid: seen.objectGuid, lastCloudEtagSeen: null, cloudPhash: null, cloudPhashEtag: null, lastRunId: seen.runId };
  }
  return {
    objectGuid: seen.objectGuid,
    lastCloudEtagSeen: seen.etag,
    ...(seen.phash !== undefined ? { cloudPhash: seen.phash, cloudPhashEtag: seen.etag } : {}),
    lastRunId: seen.runId,
  };
}

/**
 * Whether `next` says nothing `prev` did not: the same fields, bar `updatedAt` and `lastRunId`. Such an update is not
 * written (a no-change run rewrote every row only to stamp its run id), so `lastRunId` is the last run that changed the
 * record and `updatedAt` when it did.
 */
export function changesNothing(prev: UserState | undefined, next: UserState): boolean {
  if (!prev || prev.attempts !== next.attempts) return false;
  return USER_FIELDS.every((f) => f === 'lastRunId' || prev[f] === next[f]);
}

/**
 * Whether the state holds something for this user that a full read must settle when the directory no longer has the
 * user: a claim on a cloud user, or a pending failure.
 */
export function holdsClaimOrFailure(u: Pick<UserState, 'cloudId' | 'lastResult'>): boolean {
  return u.cloudId !== undefined || u.lastResult === 'error';
}

/** The remembered cloud fingerprint, but only if it belongs to this etag (else the photo must be fetched). */
export function cloudPhashFor(user: UserState | undefined, etag: string | undefined): string | undefined {
  if (!user || etag === undefined || user.cloudPhashEtag !== etag) return undefined;
  return user.cloudPhash;
}

/** A deep-enough copy (records hold only strings, numbers and one Date). */
export function cloneUser(user: UserState): UserState {
  return { ...user, updatedAt: new Date(user.updatedAt.getTime()) };
}
