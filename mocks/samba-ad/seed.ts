/**
 * Seeding the test DC over LDAPS (ldapts): OUs created as needed, users added by a small pool of
 * connections, objectGUIDs read back in one search per OU. Several test files share one DC, so each
 * file must seed its users into its own OU.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { guidBytesToString, guidToImmutableId } from '../../src/directory/guid.js';
import { escapeDnValue, ouChain, ouDn } from './dn.js';
import { SeedError } from './errors.js';
import { connectLdap, type LdapTarget } from './ldap.js';
import { parseSeed, type SeedFile, type SeedUser } from './seed-file.js';

export { loadSeedFile, parseSeed, type SeedFile, type SeedUser } from './seed-file.js';
export { ouDn } from './dn.js';

export interface SeededUser {
  sAMAccountName: string;
  dn: string;
  /** Canonical string form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx). */
  objectGuid: string;
  /** base64 of the objectGUID bytes as stored (Entra Connect's default sourceAnchor). */
  immutableId: string;
}

export interface SeedOptions {
  /** Folder photo paths are relative to (default: the current directory). */
  baseDir?: string;
  /** LDAPS connections adding users in parallel (default 2; samba runs single-process, more rarely helps). */
  concurrency?: number;
}

const USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user'];
const UAC_NORMAL = 512;
const UAC_DISABLED = 514;
const ALREADY_EXISTS = 68;

/** The DN seedDirectory gives a user: CN=<sAMAccountName>,<its OU>. */
export function userDn(baseDn: string, user: Pick<SeedUser, 'ou' | 'sAMAccountName'>): string {
  return `CN=${escapeDnValue(user.sAMAccountName)},${ouDn(baseDn, user.ou)}`;
}

async function photoBytes(ref: string | Buffer, baseDir: string): Promise<Buffer> {
  if (Buffer.isBuffer(ref)) return ref;
  const file = path.resolve(baseDir, ref);
  try {
    return await readFile(file);
  } catch (err) {
    throw new SeedError(`cannot read photo ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The LDAP attributes of one user's add request (photos read from disk here). */
async function userAttributes(user: SeedUser, baseDir: string): Promise<Attribute[]> {
  const attrs: Attribute[] = [];
  const put = (type: string, values: string[] | Buffer[] | undefined): void => {
    if (values && values.length > 0) attrs.push(new Attribute({ type, values }));
  };
  const one = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : [v]);
  put('objectClass', USER_CLASSES);
  put('sAMAccountName', [user.sAMAccountName]);
  put('userPrincipalName', one(user.userPrincipalName));
  put('mail', one(user.mail));
  put('givenName', one(user.givenName));
  put('sn', one(user.sn));
  put('displayName', one(user.displayName));
  put('employeeID', one(user.employeeID));
  put('msExchRecipientTypeDetails', one(user.msExchRecipientTypeDetails?.toString()));
  if (user.thumbnailPhoto !== undefined) put('thumbnailPhoto', [await photoBytes(user.thumbnailPhoto, baseDir)]);
  if (user.jpegPhoto) put('jpegPhoto', await Promise.all(user.jpegPhoto.map((p) => photoBytes(p, baseDir))));
  if (user.password !== undefined) put('unicodePwd', [Buffer.from(`"${user.password}"`, 'utf16le')]);
  put('userAccountControl', [String(user.disabled ? UAC_DISABLED : UAC_NORMAL)]);
  return attrs;
}

async function ensureOus(client: Client, baseDn: string, ouPaths: Iterable<string>): Promise<void> {
  // Parents before children: every chain lists them in that order, and a Map keeps first insertion order.
  const ous = new Map<string, string>();
  for (const p of ouPaths) for (const { dn, name } of ouChain(baseDn, p)) if (!ous.has(dn)) ous.set(dn, name);
  for (const [dn, name] of ous) {
    try {
      await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou: name });
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS) {
        throw new SeedError(`cannot create ${dn}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

/** Reads objectGUIDs of the given users back, one paged search per OU. */
async function readGuids(client: Client, baseDn: string, users: SeedUser[]): Promise<SeededUser[]> {
  const byOu = new Map<string, Set<string>>();
  for (const u of users) {
    const dn = ouDn(baseDn, u.ou);
    if (!byOu.has(dn)) byOu.set(dn, new Set());
    byOu.get(dn)?.add(u.sAMAccountName.toLowerCase());
  }
  const found = new Map<string, SeededUser>();
  for (const [dn, names] of byOu) {
    const result = await client.search(dn, {
      scope: 'one',
      filter: '(objectClass=user)',
      attributes: ['sAMAccountName', 'objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
      paged: { pageSize: 500 },
    });
    for (const entry of result.searchEntries) {
      const sam = String(entry['sAMAccountName']);
      const guid = entry['objectGUID'];
      if (!names.has(sam.toLowerCase()) || !Buffer.isBuffer(guid)) continue;
      found.set(sam.toLowerCase(), { sAMAccountName: sam, dn: entry.dn, objectGuid: guidBytesToString(guid), immutableId: guidToImmutableId(guid) });
    }
  }
  return users.map((u) => {
    const seeded = found.get(u.sAMAccountName.toLowerCase());
    if (!seeded) throw new SeedError(`user ${u.sAMAccountName} was added but not found under ${ouDn(baseDn, u.ou)}`);
    return seeded;
  });
}

/** Runs `work` over `items` with one bound LDAPS connection per worker; stops at the first failure. */
async function withConnectionPool<T>(target: LdapTarget, size: number, items: T[], work: (client: Client, item: T) => Promise<void>): Promise<void> {
  const ca = await readFile(target.caCertPath);
  const clients = await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, () => connectLdap(target, { ca })));
  let next = 0;
  let failed = false;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (!failed && next < items.length) {
          const item = items[next++] as T;
          try {
            await work(client, item);
          } catch (err) {
            failed = true;
            throw err;
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
  }
}

/** Creates the seed's OUs and users on the DC; returns each user's DN and objectGUID, in seed order. */
export async function seedDirectory(dc: LdapTarget & { baseDn: string }, seed: SeedFile, opts: SeedOptions = {}): Promise<SeededUser[]> {
  const { users } = parseSeed(seed);
  const baseDir = opts.baseDir ?? process.cwd();
  const admin = await connectLdap(dc);
  try {
    await ensureOus(admin, dc.baseDn, new Set(users.map((u) => u.ou)));
    await withConnectionPool(dc, opts.concurrency ?? 2, users, async (client, user) => {
      const dn = userDn(dc.baseDn, user);
      try {
        await client.add(dn, await userAttributes(user, baseDir));
      } catch (err) {
        if (err instanceof SeedError) throw err;
        const code = (err as { code?: number }).code;
        throw new SeedError(`cannot add ${dn}${code === undefined ? '' : ` (LDAP result ${code})`}: ${(err as Error).message}`, { cause: err });
      }
    });
    return await readGuids(admin, dc.baseDn, users);
  } finally {
    await admin.unbind().catch(() => undefined);
  }
}

/** Replaces a user's thumbnailPhoto or jpegPhoto (null removes it). Server-side errors propagate as ldapts errors. */
export async function modifyUserPhoto(dc: LdapTarget, dn: string, attr: 'thumbnailPhoto' | 'jpegPhoto', value: Buffer | Buffer[] | null): Promise<void> {
  const values = value === null ? [] : Array.isArray(value) ? value : [value];
  const client = await connectLdap(dc);
  try {
    await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: attr, values }) }));
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
