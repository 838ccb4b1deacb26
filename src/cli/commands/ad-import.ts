/**
 * `hps ad import`: photos from a folder into Active Directory's thumbnailPhoto (and jpegPhoto), automatch first.
 * Exit 0 done (ambiguous and unmatched files are listed, not failures), 1 some writes failed, 3 refused by a
 * threshold, as reconcile.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { compileNamePattern } from '../../sync/decide/ad-pattern.js';
import type { AdImportResult } from '../../sync/decide/ad-plan.js';
import { adImportFromConfig } from '../../usecases/ad-wiring.js';
import { withRun } from '../../usecases/run-frame.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { AD_THUMBNAIL_MAX_BYTES } from '../../photo/fit.js';
import { AD_IMPORT_FORMATS, renderAdImport, type AdImportFormat } from '../../report/ad-import.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { adRunCounts, exitCodeOf } from '../exit-policy.js';
import { runHooks, type CliIo } from '../io.js';
import { checkOutputFile, type CommandResult } from '../output.js';
import { progressFor } from '../progress.js';

/** `102400`, `100KB`, `10kb`, `10 KiB`: bytes, with KB = 1024 bytes (AD's limit is 100 KB = 102,400 bytes). */
export const byteSize = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const m = /^\s*(\d+)\s*(k|kb|kib)?\s*$/i.exec(String(v));
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a size: give bytes (102400) or KB (100KB)` });
      return z.NEVER;
    }
    return Number(m[1]) * (m[2] ? 1024 : 1);
  })
  .pipe(z.number().int().min(4096, 'at least 4KB').max(AD_THUMBNAIL_MAX_BYTES, `AD's thumbnailPhoto holds at most ${AD_THUMBNAIL_MAX_BYTES} bytes (100KB)`));

export const adImportOptions = z.strictObject({
  folder: z.string().min(1).optional(),
  pattern: z.array(z.string().min(1)).min(1).optional(),
  maxBytes: byteSize.optional(),
  jpegPhoto: z.boolean().optional(),
  dryRun: z.boolean().default(false),
  matchOnly: z.boolean().default(false),
  removeMissing: z.boolean().default(false),
  force: z.boolean().default(false),
  format: z.enum(AD_IMPORT_FORMATS).default('table'),
  out: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
});
export type AdImportCliOptions = z.infer<typeof adImportOptions>;

export async function runAdImportCommand(opts: AdImportCliOptions, io: CliIo): Promise<CommandResult<AdImportResult>> {
  const cfg = await loadConfig(resolve(io.cwd, opts.config ?? DEFAULT_CONFIG_FILE));
  const folder = opts.folder ? resolve(io.cwd, opts.folder) : cfg.photoFolder?.path;
  const patterns = opts.pattern ?? (cfg.photoFolder ? [cfg.photoFolder.pattern] : undefined);
  if (!folder || !patterns) throw new CliError('no photo folder: pass --folder DIR --pattern "{sAMAccountName}.{ext}" or set photoFolder in the config');
  // A pattern that cannot work is the admin's to fix: say so before connecting to anything.
  patterns.forEach(compileNamePattern);
  const outFile = opts.out === undefined ? undefined : resolve(io.cwd, opts.out);
  if (outFile) await checkOutputFile(outFile);
  const maxBytes = opts.maxBytes ?? cfg.activeDirectory.maxBytes;
  const jpegPhoto = opts.jpegPhoto ?? cfg.activeDirectory.jpegPhoto;
  const importOpts = { folder, patterns, maxBytes, jpegPhoto, dryRun: opts.dryRun, removeMissing: opts.removeMissing, force: opts.force, matchOnly: opts.matchOnly, preview: opts.format === 'html' };
  const result = await withRun(cfg, io.env, { name: 'ad import', options: importOpts, ...runHooks(io) }, async (run) => {
    const progress = progressFor(io);
    const r = await adImportFromConfig(cfg, io.env, io.log, run, importOpts, (phase, done, total) =>
      progress.tick(phase === 'plan' ? 'comparing' : 'writing', done, total),
    ).finally(() => progress.stop());
    const exitCode = exitCodeOf({ kind: 'run', run: adRunCounts(r) });
    const status = r.refused ? 'aborted' : exitCode === EXIT.ok ? 'ok' : 'partial';
    return { value: r, status, exitCode, summary: { ...r.summary, written: r.written ? { ok: r.written.ok, failed: r.written.failed } : null, refused: r.refused ?? null } };
  });
  return { data: result, exitCode: exitCodeOf({ kind: 'run', run: adRunCounts(result) }), format: opts.format, render: (f) => renderAdImport(result, f as AdImportFormat), ...(outFile ? { outFile } : {}) };
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function registerAdImport(ad: Command, ctx: CommandContext): void {
  ad.command('import')
    .description('write photos from a folder to AD thumbnailPhoto: automatch, fit within 100KB, write only what changed')
    .option('--folder <dir>', 'photo folder (default: photoFolder.path in the config)')
    .option('--pattern <pattern>', 'file-name pattern, repeatable, e.g. "{givenName}.{sn}.{ext}" (default: photoFolder.pattern)', collect)
    .option('--max-bytes <size>', 'thumbnailPhoto budget, e.g. 100KB (the AD limit) or 10KB (default: activeDirectory.maxBytes, 100KB)')
    .option('--jpeg-photo', 'also write jpegPhoto: the same square at full size (default: activeDirectory.jpegPhoto)')
    .option('--match-only', 'show the automatch lists only; read and write no photos')
    .option('--dry-run', 'show the plan; write nothing')
    .option('--remove-missing', 'clear the AD photo of users in scope without a file (checked against the delete threshold)')
    .option('--force', 'apply even when a safety threshold refuses the plan')
    .option('--format <format>', `output format: ${AD_IMPORT_FORMATS.join(', ')}`, 'table')
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--config <file>', 'config file (default ./hybrid-photo-sync.config.json)')
    .action(async (raw: Record<string, unknown>) => {
      await ctx.execute(() => runAdImportCommand(ctx.parse(adImportOptions, raw), ctx.io));
    });
}
