/**
 * Users kept pending for something outside the directory rather than for a failure: an unmatched user with a photo
 * waits for its cloud account, a blocked user for the tenant photo policy to allow cloud writes. They are stored
 * like failures (`lastResult: 'error'`, so every incremental run reads them again) with `deferred` saying why,
 * without counting attempts and without touching what was pushed before.
 *
 * Before schema version 2 the kind was a `"waiting: "`/`"blocked: "` prefix of `lastError`; the migration moves it
 * into `deferred`, and a record that still carries the prefix (a store without migrations) is read the same way.
 */
import { DEFERRED_KINDS, type DeferredKind, type UserState } from './store.js';

/** Why a pending user is pending, if it is deferred rather than failed. */
export function deferredKind(s: Pick<UserState, 'lastResult' | 'lastError' | 'deferred'> | undefined): DeferredKind | undefined {
  if (s?.lastResult !== 'error') return undefined;
  if (s.deferred !== undefined) return s.deferred;
  return DEFERRED_KINDS.find((k) => s.lastError?.startsWith(`${k}: `));
}
