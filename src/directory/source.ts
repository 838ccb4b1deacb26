/**
 * The contract every on-prem reader meets: an async iterable of users, streamed (one user's photo in hand at a
 * time, never the whole directory's), plus the bits incremental runs need.
 */
import { IMMUTABLE_ID_PATTERN, type OnPremUser } from '../model.js';
import { DirectoryConfigError } from './errors.js';
import { guidBytesToString, guidStringToBytes } from './guid.js';

/**
 * Where a directory read got to, as the DC numbers its changes. `usn` is the DC's highestCommittedUSN and is
 * only comparable on the same DC database: `invocationId` (the DC's NTDS Settings invocationId) tells them
 * apart. A mark from another DC, or from a DC restored from backup, has a different invocationId.
 */
export interface HighWaterMark {
  invocationId: string;
  usn: bigint;
}

/** The attributes one user can be picked by. */
export const SELECTOR_KEYS = ['userPrincipalName', 'sAMAccountName', 'mail', 'objectGuid'] as const;
export type SelectorKey = (typeof SELECTOR_KEYS)[number];

/**
 * One user, picked by one identifier. For `objectGuid` the value is the canonical GUID string (braces
 * optional) or the immutableId (base64 of the 16 stored bytes).
 */
export interface UserSelector {
  by: SelectorKey;
  value: string;
}

export interface UsersOptions {
  /** Only users changed after this mark (LDAP). Readers that cannot tell do a full read. */
  since?: HighWaterMark;
  /** Only this user. */
  only?: UserSelector;
}

export interface DirectorySource {
  users(opts?: UsersOptions): AsyncIterable<OnPremUser>;
  /**
   * The DC's current high-water mark, for the next incremental run. Take it BEFORE reading so changes made
   * during the read are picked up next time. Only sources backed by a live DC have it.
   */
  directoryMark?(): Promise<HighWaterMark>;
  /** Release connections and handles. Safe to call twice. */
  close(): Promise<void>;
}

/** What the readers log through. A pino logger fits. */
export interface DirectoryLogger {
  warn(msg: string): void;
  info?(msg: string): void;
}

/** The 16 stored objectGUID bytes a selector names (GUID string or immutableId). */
export function selectorGuidBytes(value: string): Buffer {
  const trimmed = value.trim();
  try {
    return guidStringToBytes(trimmed);
  } catch {
    if (IMMUTABLE_ID_PATTERN.test(trimmed)) return Buffer.from(trimmed, 'base64');
  }
  throw new DirectoryConfigError(
    `"${value}" is neither a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an immutableId (base64 of 16 bytes)`,
  );
}

/** Whether `user` is the one `sel` names. Names compare case-insensitively, as AD does. */
export function matchesSelector(user: OnPremUser, sel: UserSelector): boolean {
  if (sel.by === 'objectGuid') {
    return user.objectGuid !== '' && user.objectGuid.toLowerCase() === guidBytesToString(selectorGuidBytes(sel.value));
  }
  const have = sel.by === 'userPrincipalName' ? user.userPrincipalName : sel.by === 'mail' ? user.mail : user.sAMAccountName;
  return have !== undefined && have.toLowerCase() === sel.value.trim().toLowerCase();
}
