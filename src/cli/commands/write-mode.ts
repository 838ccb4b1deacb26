/**
 * reconcile's write modes (docs/write-modes.md) at the command level: the AD step before the cloud reconcile
 * (`ad`, `both`), the square source for `both`, and one exit code and one output for the combined run.
 */
import type { Logger } from 'pino';
import type { AdImportResult } from '../../ad/import.js';
import { adImportFromConfig, adImportOptionsFrom } from '../../ad/run.js';
import { readFile } from 'node:fs/promises';
import { withMatchedSquares } from '../../ad/square-source.js';
import type { Config, WriteMode } from '../../config/schema.js';
import type { Env } from '../../config/secrets.js';
import type { DirectorySource } from '../../directory/source.js';
import { adImportJson, adImportTable } from '../../report/ad-import.js';
import type { AuditLog } from '../../state/audit.js';
import { EXIT } from '../exit-codes.js';

/** The exit code of an AD import, by reconcile's rules: 3 refused, 1 some users failed or unreadable, else 0. */
export function adImportExitCode(r: AdImportResult): number {
  if (r.refused) return EXIT.refused;
  return (r.written?.failed ?? 0) > 0 || r.summary.errors > 0 ? EXIT.partialFailure : EXIT.ok;
}

/** The worse of two exit codes of one run: refused over failed over ok. */
export function worseExit(a: number, b: number): number {
  const rank = (c: number): number => (c === EXIT.refused ? 3 : c === EXIT.partialFailure ? 2 : c === EXIT.ok ? 0 : 4);
  return rank(a) >= rank(b) ? a : b;
}

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
  return withMatchedSquares(directory, cfg.photoFolder.path, ad.automatch, (p) => readFile(p));
}

/** The AD step's part of the run's output, after the cloud part (text) or under `activeDirectory` (JSON). */
export function withAdOutput(format: string, cloud: string | undefined, ad: AdImportResult | undefined): string {
  if (!ad) return cloud ?? '';
  if (format === 'json') {
    const base = cloud ? (JSON.parse(cloud) as Record<string, unknown>) : {};
    return `${JSON.stringify({ ...base, activeDirectory: adImportJson(ad) }, null, 2)}\n`;
  }
  return `${cloud ? `${cloud}\n` : ''}Active Directory (thumbnailPhoto):\n${adImportTable(ad)}`;
}
