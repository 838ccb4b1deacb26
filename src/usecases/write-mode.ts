/**
 * reconcile's write modes (docs/write-modes.md): the AD step before the cloud reconcile (`ad`, `both`), and what the
 * cloud step reads in `both` (the AD step's matches, as subject squares).
 */
import type { Logger } from 'pino';
import type { Config, WriteMode } from '../config/schema.js';
import type { Env } from '../config/secrets.js';
import type { DirectorySource } from '../directory/source.js';
import type { AuditLog } from '../state/audit.js';
import type { AdImportResult } from '../sync/decide/ad-plan.js';
import { withMatchedSquares } from './ad-square-source.js';
import { adImportFromConfig, adImportOptionsFrom, readPhotoFile } from './ad-wiring.js';

/** The AD step of a run in mode `ad` or `both`; nothing for `cloud`. */
export async function adStep(
  mode: WriteMode,
  cfg: Config,
  env: Env,
  log: Logger,
  run: { audit?: AuditLog; runId: string },
  opts: { dryRun: boolean; force: boolean },
): Promise<AdImportResult | undefined> {
  if (mode === 'cloud') return undefined;
  return adImportFromConfig(cfg, env, log, run, adImportOptionsFrom(cfg, opts));
}

/**
 * The config the cloud step opens its directory with: in `both` the HR folder is not overlaid by the cloud step's own
 * folder reader; {@link cloudSource} puts the AD step's matches in instead.
 */
export function cloudConfig(mode: WriteMode, cfg: Config): Config {
  return mode === 'both' ? { ...cfg, photoFolder: undefined } : cfg;
}

/** The directory the cloud step reads: in `both`, each matched user's HR photo as the subject square AD got. */
export function cloudSource(ad: AdImportResult | undefined, cfg: Config, directory: DirectorySource): DirectorySource {
  if (!ad || !cfg.photoFolder) return directory;
  return withMatchedSquares(directory, cfg.photoFolder.path, ad.automatch, readPhotoFile);
}
