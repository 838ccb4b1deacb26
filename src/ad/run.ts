/**
 * The AD import wired from the config: the readers and writer it opens, the comparator and thresholds it uses.
 * Shared by `hps ad import` and reconcile's `ad`/`both` write modes; the caller owns the run (lock, audit, run id).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import type { Env } from '../config/secrets.js';
import { comparePhotos } from '../photo/index.js';
import type { Thresholds } from '../reconcile/plan.js';
import type { AuditLog } from '../state/audit.js';
import { runAdImport, type AdImportDeps, type AdImportOptions, type AdImportResult, type ComparePhotos } from './import.js';
import { openAdServices } from './services.js';

/** The comparator the rest of the tool uses (its public function), with the config's threshold when one is set. */
export function adComparator(cfg: Config): ComparePhotos {
  return async (a, b) => {
    const r = await comparePhotos(a, b);
    const t = cfg.compare.threshold;
    return t === undefined ? r : { same: r.distance <= t, distance: r.distance };
  };
}

/** Reconcile's thresholds, the percentage rule from 20 users up as there. */
export function thresholdsOf(cfg: Config): Thresholds {
  const r = cfg.reconcile;
  return { deleteThreshold: r.deleteThreshold, changeThreshold: r.changeThreshold, changeThresholdPercent: r.changeThresholdPercent, percentFloor: 20 };
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
        users: ad.users, listFiles: listFolder, readFile: (p) => readFile(p), ad: ad.writer, compare: adComparator(cfg), thresholds: thresholdsOf(cfg),
        ...(run.audit ? { audit: run.audit } : {}), runId: run.runId, ...(onProgress ? { onProgress } : {}),
      },
      opts,
    );
  } finally {
    await ad.close();
  }
}
