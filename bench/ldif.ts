/**
 * LDIF text for the synthetic tenant, written the way `ldapsearch -LLL` writes an AD export: base64 (`::`) for
 * binary or unsafe values, lines folded at 76 columns. Pure string building.
 */
import { createHash } from 'node:crypto';

/** One `attr: value` line, base64 where RFC 2849 requires it, folded like ldapsearch. */
export function ldifLine(attr: string, value: string | Buffer): string {
  const safe = typeof value === 'string' && /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) && !value.endsWith(' ');
  const line = safe ? `${attr}: ${value}` : `${attr}:: ${Buffer.from(value).toString('base64')}`;
  if (line.length <= 76) return line;
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`);
  return parts.join('\n');
}

export const BENCH_BASE_DN = 'OU=Bench,DC=corp,DC=example,DC=com';
export const BENCH_DOMAIN = 'corp.example.com';

/** The account name of on-prem user i (also the UPN's local part). */
export function samOf(i: number): string {
  return `u${String(i).padStart(6, '0')}`;
}

export function upnOf(i: number): string {
  return `${samOf(i)}@${BENCH_DOMAIN}`;
}

/** A deterministic objectGUID (canonical string form) for user i. */
export function guidOf(i: number): string {
  const h = createHash('sha256').update(`hps-bench:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface EntryInput {
  index: number;
  /** objectGUID bytes (little-endian layout, as AD stores them). */
  guidBytes: Buffer;
  /** The already-folded `thumbnailPhoto::` line(s), shared by every user with the same picture. */
  thumbnailLine?: string;
}

/** One user record (no trailing blank line). */
export function userEntry(e: EntryInput): string {
  const sam = samOf(e.index);
  const upn = upnOf(e.index);
  const name = `Bench User ${String(e.index).padStart(6, '0')}`;
  const lines = [
    ldifLine('dn', `CN=${name},${BENCH_BASE_DN}`),
    'objectClass: top',
    'objectClass: person',
    'objectClass: organizationalPerson',
    'objectClass: user',
    ldifLine('cn', name),
    ldifLine('sAMAccountName', sam),
    ldifLine('userPrincipalName', upn),
    ldifLine('mail', upn),
    ldifLine('displayName', name),
    ldifLine('objectGUID', e.guidBytes),
    'userAccountControl: 512',
    'msExchRecipientTypeDetails: 2147483648',
  ];
  if (e.thumbnailLine) lines.push(e.thumbnailLine);
  return lines.join('\n');
}

export const LDIF_HEADER = '# hybrid-photo-sync benchmark tenant: an ldapsearch -LLL export\nversion: 1\n\n';
