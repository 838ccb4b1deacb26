/** LDAPS connections to the test DC with certificate and host-name verification on. */
import { readFile } from 'node:fs/promises';
import { Client } from 'ldapts';

export interface LdapTarget {
  ldapsUrl: string;
  bindDn: string;
  bindPassword: string;
  caCertPath: string;
}

/** Opens an LDAPS connection trusting only the DC's CA and binds as the target's admin. */
export async function connectLdap(target: LdapTarget, opts: { timeoutMs?: number; ca?: Buffer } = {}): Promise<Client> {
  const ca = opts.ca ?? (await readFile(target.caCertPath));
  const client = new Client({
    url: target.ldapsUrl,
    timeout: opts.timeoutMs ?? 30_000,
    connectTimeout: opts.timeoutMs ?? 10_000,
    tlsOptions: { ca: [ca], rejectUnauthorized: true },
  });
  try {
    await client.bind(target.bindDn, target.bindPassword);
  } catch (err) {
    await client.unbind().catch(() => undefined);
    throw err;
  }
  return client;
}

/** Runs `fn` on a bound connection and always unbinds. */
export async function withLdap<T>(target: LdapTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectLdap(target);
  try {
    return await fn(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
