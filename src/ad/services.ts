/**
 * The readers and the writer the `ad` commands use, built from the same `directory` config as every command: the
 * user listing (no photo bytes, only whether thumbnailPhoto is set) and the LDAP photo writer. LDAP only: an LDIF
 * export cannot be written back.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import { requireSecret, type Env } from '../config/secrets.js';
import { openLdapSource, type LdapConfig } from '../directory/ldap.js';
import { openLdapPhotoWriter, type LdapPhotoWriter } from '../directory/ldap-writer.js';
import type { DirectorySource } from '../directory/source.js';
import type { OnPremUser } from '../model.js';

export interface AdServices {
  /** Reads users with thumbnailPhoto requested; `hasAdPhoto` is kept, the bytes are dropped. */
  users(): AsyncIterable<OnPremUser & { hasAdPhoto: boolean }>;
  directory: DirectorySource;
  writer: LdapPhotoWriter;
  close(): Promise<void>;
}

export function adLdapConfig(cfg: Config, env: Env): LdapConfig {
  const d = cfg.directory;
  if (d.type !== 'ldap') {
    throw new ConfigError('the ad commands write to Active Directory over LDAPS: set directory.type to "ldap" (an LDIF export cannot be written back)');
  }
  return {
    url: d.url,
    startTls: d.startTls,
    bindDn: d.bindDn,
    password: requireSecret(env, d.passwordEnv, 'the LDAP bind password'),
    baseDn: d.baseDn,
    filter: d.filter,
    ...(d.group ? { groupDn: d.group } : {}),
    pageSize: d.pageSize,
    tls: { ...(d.caFile ? { caFile: d.caFile } : {}), ...(d.servername ? { servername: d.servername } : {}), rejectUnauthorized: d.rejectUnauthorized },
    timeouts: { connectMs: d.timeoutMs, operationMs: Math.max(d.timeoutMs, 60000) },
    photoOrder: ['thumbnailPhoto'],
  };
}

export async function openAdServices(cfg: Config, env: Env, log: Logger): Promise<AdServices> {
  const config = adLdapConfig(cfg, env);
  const logger = { warn: (m: string) => log.warn(m), info: (m: string) => log.info(m) };
  const directory = await openLdapSource(config, { logger });
  const writer = await openLdapPhotoWriter(config, { logger }).catch(async (err: unknown) => {
    await directory.close();
    throw err;
  });
  async function* users(): AsyncGenerator<OnPremUser & { hasAdPhoto: boolean }> {
    for await (const u of directory.users()) {
      const { photo, ...rest } = u;
      yield { ...rest, hasAdPhoto: photo?.origin === 'thumbnailPhoto' };
    }
  }
  return {
    users,
    directory,
    writer,
    async close() {
      await writer.close();
      await directory.close();
    },
  };
}
