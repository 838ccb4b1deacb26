/**
 * Read-only facts about a bound LDAP connection that `hps doctor` reports: does the base DN exist, and does the
 * schema know msExchRecipientTypeDetails (Exchange's recipient type, which the router reads)?
 */
import type { LdapClientLike } from './ldap.js';

export interface LdapInspection {
  baseDnExists: boolean;
  /** Whether the schema defines msExchRecipientTypeDetails; undefined when the schema could not be read. */
  recipientTypeInSchema: boolean | undefined;
}

const RECIPIENT_TYPE_ATTRIBUTE = 'msExchRecipientTypeDetails';

function firstText(entry: Record<string, unknown> | undefined, name: string): string | undefined {
  for (const [k, v] of Object.entries(entry ?? {})) {
    if (k.toLowerCase() !== name.toLowerCase()) continue;
    const one: unknown = Array.isArray(v) ? v[0] : v;
    return typeof one === 'string' ? one : Buffer.isBuffer(one) ? one.toString('utf8') : undefined;
  }
  return undefined;
}

async function baseDnExists(client: LdapClientLike, baseDn: string): Promise<boolean> {
  try {
    const r = await client.search(baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['distinguishedName'] });
    return r.searchEntries.length > 0;
  } catch (err) {
    if ((err as { code?: unknown }).code === 32) return false; // noSuchObject
    throw err;
  }
}

async function recipientTypeInSchema(client: LdapClientLike): Promise<boolean | undefined> {
  try {
    const root = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['schemaNamingContext'] });
    const schemaDn = firstText(root.searchEntries[0], 'schemaNamingContext');
    if (!schemaDn) return undefined;
    const hit = await client.search(schemaDn, { scope: 'one', filter: `(lDAPDisplayName=${RECIPIENT_TYPE_ATTRIBUTE})`, attributes: ['cn'] });
    return hit.searchEntries.length > 0;
  } catch {
    return undefined;
  }
}

export async function inspectLdap(client: LdapClientLike, baseDn: string): Promise<LdapInspection> {
  return { baseDnExists: await baseDnExists(client, baseDn), recipientTypeInSchema: await recipientTypeInSchema(client) };
}
