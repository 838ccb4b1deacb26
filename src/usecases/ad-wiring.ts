/**
 * The AD import wired from the config: the user listing (no photo bytes, only whether thumbnailPhoto is set) and the
 * LDAP photo writer from the same `directory` config as every command (LDAP only: an LDIF export cannot be written
 * back), the comparator and the thresholds. Shared by `hps ad import`/`remove` and reconcile's `ad`/`both` write
 * modes; the caller owns the run (lock, audit, run id).
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readBounded } from '../files/bounded-read.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import { requireSecret, type Env } from '../config/secrets.js';
import { openLdapSource, type LdapConfig } from '../directory/ldap.js';
import { openLdapPhotoWriter, type LdapPhotoWriter } from '../directory/ldap-writer.js';
import type { DirectorySource } from '../directory/source.js';
import type { OnPremUser } from '../model.js';
import { comparePhotos } from '../photo/index.js';
import type { AuditLog } from '../state/audit.js';
import { thresholdsFrom } from './wiring.js';
import { runAdImport, type AdImportDeps, type AdImportOptions, type AdImportResult, type ComparePhotos } from './ad-import.js';

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

/** The comparator the rest of the tool uses (its public function), with the config's threshold when one is set. */
export function adComparator(cfg: Config): ComparePhotos {
  const t = cfg.compare.threshold;
  // The setting replaces the structural threshold only; the colour measures keep theirs (photo/compare.ts).
  return (a, b) => comparePhotos(a, b, t === undefined ? {} : { structureThreshold: t });
}

/** HR files larger than this are that user's error, never read (as for the folder overlay). */
export const MAX_PHOTO_FILE_BYTES = 25 * 1024 * 1024;

/**
 * Reads one HR photo file through the bounded reader: a regular file inside its folder (no device, FIFO or link out
 * of the folder), at most MAX_PHOTO_FILE_BYTES whatever `stat` says.
 */
export function readPhotoFile(path: string): Promise<Buffer> {
  return readBounded(path, { maxBytes: MAX_PHOTO_FILE_BYTES, within: dirname(path) });
}

export async function listFolder(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  } catch (err) {
    throw new ConfigError(`cannot list the photo folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** The import options the config gives (photoFolder, activeDirectory), for reconcile's write modes. */
export function adImportOptionsFrom(cfg: Config, run: { dryRun: boolean; force: boolean }): AdImportOptions {
  if (!cfg.photoFolder) {
    throw new ConfigError(`reconcile.writeMode "${cfg.reconcile.writeMode}" writes AD's thumbnailPhoto from the HR photo folder: configure photoFolder (path, pattern)`);
  }
  return {
    folder: cfg.photoFolder.path, patterns: [cfg.photoFolder.pattern], maxBytes: cfg.activeDirectory.maxBytes, jpegPhoto: cfg.activeDirectory.jpegPhoto,
    dryRun: run.dryRun, force: run.force, removeMissing: false, matchOnly: false,
  };
}

export async function adImportFromConfig(
  cfg: Config,
  env: Env,
  log: Logger,
  run: { audit?: AuditLog; runId: string },
  opts: AdImportOptions,
  onProgress?: AdImportDeps['onProgress'],
): Promise<AdImportResult> {
  const ad = await openAdServices(cfg, env, log);
  try {
    return await runAdImport(
      {
        users: ad.users, listFiles: listFolder, readFile: readPhotoFile, ad: ad.writer, compare: adComparator(cfg), thresholds: thresholdsFrom(cfg, 0),
        ...(run.audit ? { audit: run.audit } : {}), runId: run.runId, ...(onProgress ? { onProgress } : {}),
      },
      opts,
    );
  } finally {
    await ad.close();
  }
}
