/**
 * Delegating attribute write access on the test DC, as an admin does with dsacls on Windows
 * (docs/permissions.md): an inheritable "Write property <attribute>" ACE for user objects under an OU, set with
 * `samba-tool dsacl set` on the DC's own database. Samba propagates it to the users already there.
 */
import path from 'node:path';
import { run } from './exec.js';
import { SeedError } from './errors.js';
import { withLdap, type LdapTarget } from './ldap.js';

/** schemaIDGUIDs (AD schema, same on every forest) of the attributes and class the tool delegates. */
export const SCHEMA_GUID = {
  thumbnailPhoto: '8d3bca50-1d7e-11d0-a081-00aa006c33ed',
  jpegPhoto: 'bac80572-09c4-4fa9-9ae6-7628d7adbe0e',
  user: 'bf967aba-0de6-11d0-a285-00aa003049e2',
} as const;

/** A binary objectSid as its S-1-… string. */
export function sidToString(sid: Buffer): string {
  const count = sid[1] ?? 0;
  const authority = sid.readUIntBE(2, 6);
  const subs = Array.from({ length: count }, (_, i) => sid.readUInt32LE(8 + 4 * i));
  return `S-${sid[0]}-${authority}-${subs.join('-')}`;
}

/** The objectSid of the object at `dn`, as a string. */
export async function sidOf(dc: LdapTarget, dn: string): Promise<string> {
  return withLdap(dc, async (c) => {
    const r = await c.search(dn, { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const sid = r.searchEntries[0]?.['objectSid'];
    if (!Buffer.isBuffer(sid)) throw new SeedError(`no objectSid on ${dn}`);
    return sidToString(sid);
  });
}

/** Grants `trusteeSid` "Write <attribute>" on user objects below `ouDn` (the dsacls /I:S /G "…:WP;attr;user" ACE). */
export async function delegateAttributeWrite(dc: { dir: string }, ouDn: string, trusteeSid: string, attribute: 'thumbnailPhoto' | 'jpegPhoto'): Promise<void> {
  const ace = `(OA;CIIO;WP;${SCHEMA_GUID[attribute]};${SCHEMA_GUID.user};${trusteeSid})`;
  const r = await run('samba-tool', ['dsacl', 'set', '-H', path.join(dc.dir, 'private', 'sam.ldb'), `--objectdn=${ouDn}`, `--sddl=${ace}`], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new SeedError(`samba-tool dsacl set failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
}
