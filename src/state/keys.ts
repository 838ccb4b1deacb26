/** Key normalisation shared by every store, so `{ABC…}` and `abc…` name the same user. */
import { foldGuid } from '../model.js';

/** objectGUID → store key: trimmed, braces removed, lower case. Throws TypeError on an empty key. */
export function normaliseGuid(objectGuid: string): string {
  const key = foldGuid(objectGuid);
  if (key === '') throw new TypeError('objectGuid must not be empty');
  return key;
}

/**
 * A stable key for one directory's high-water mark: the LDAP URL (scheme and host lower-cased, trailing
 * slash dropped) and the base DN (lower-cased, blanks around `,` and `=` removed), joined by `|`.
 */
export function directoryKey(ldapUrl: string, baseDn: string): string {
  const url = ldapUrl.trim().replace(/\/+$/, '').toLowerCase();
  const dn = baseDn.trim().toLowerCase().replace(/\s*([,=])\s*/g, '$1');
  return `${url}|${dn}`;
}
