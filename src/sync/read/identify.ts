/**
 * `--user` / `hps fix <user>`: one identifier, several possible meanings. Pure.
 */
import type { UserSelector } from '../../directory/source.js';
import { IMMUTABLE_ID_PATTERN } from '../../model.js';

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** The selectors to try, most specific first: a GUID or immutableId; UPN then mail; else sAMAccountName. */
export function selectorsFor(identifier: string): UserSelector[] {
  const value = identifier.trim();
  if (value === '') return [];
  if (GUID.test(value) || IMMUTABLE_ID_PATTERN.test(value)) return [{ by: 'objectGuid', value }];
  if (value.includes('@')) return [{ by: 'userPrincipalName', value }, { by: 'mail', value }];
  // DOMAIN\sam is how many admins write an account.
  const sam = value.includes('\\') ? value.slice(value.lastIndexOf('\\') + 1) : value;
  return [{ by: 'sAMAccountName', value: sam }];
}
