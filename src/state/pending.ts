/**
 * Users kept pending for something outside the directory rather than for a failure: an unmatched user with a photo
 * waits for its cloud account, a blocked user for the tenant photo policy to allow cloud writes. They are stored
 * like failures (`lastResult: 'error'`, so every incremental run reads them again) but with a marked `lastError`,
 * without counting attempts and without touching what was pushed before.
 */
import type { UserState } from './store.js';

export const DEFERRED_KINDS = ['waiting', 'blocked'] as const;
export type DeferredKind = (typeof DEFERRED_KINDS)[number];

/** The `lastError` text for a deferred user. */
export function deferredError(kind: DeferredKind, reason: string): string {
  return `${kind}: ${reason}`;
}

/** Why a pending user is pending, if it is deferred rather than failed. */
export function deferredKind(s: Pick<UserState, 'lastResult' | 'lastError'> | undefined): DeferredKind | undefined {
  if (s?.lastResult !== 'error' || s.lastError === undefined) return undefined;
  return DEFERRED_KINDS.find((k) => s.lastError?.startsWith(`${k}: `));
}
