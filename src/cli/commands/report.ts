/**
 * `hps report`: whose photo is wrong? Read-only; exit 0 whenever the report ran, whatever it found.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { openCloud, openDirectory } from '../../usecases/wiring.js';
import { buildReport } from '../../usecases/report.js';
import { createThumbnailCollector } from '../../usecases/thumbnails.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { resolve } from 'node:path';
import { REPORT_FORMATS, renderReportChunks, type Report, type ReportFormat } from '../../report/index.js';
import { exitCodeOf } from '../exit-policy.js';
import type { CommandContext } from '../context.js';
import { checkOutputFile, type CommandResult } from '../output.js';
import type { CliIo } from '../io.js';
import { progressFor } from '../progress.js';
import { withResources } from '../resources.js';

export const reportOptions = z.strictObject({
  format: z.enum(REPORT_FORMATS).default('table'),
  out: z.string().min(1).optional(),
  user: z.string().trim().min(1, 'give a user: UPN, sAMAccountName, mail or objectGUID').optional(),
  config: z.string().min(1).optional(),
});
export type ReportOptions = z.infer<typeof reportOptions>;

export async function runReport(opts: ReportOptions, io: CliIo): Promise<CommandResult<Report>> {
  const cfg = await loadConfig(resolve(io.cwd, opts.config ?? DEFAULT_CONFIG_FILE));
  const outFile = opts.out === undefined ? undefined : resolve(io.cwd, opts.out);
  // Before the (long) read, not after it.
  if (outFile) await checkOutputFile(outFile);
  const report = await withResources(async (use) => {
    const directory = use(await openDirectory(cfg, io.env, io.log));
    const cloud = use(await openCloud(cfg, io.env, io.log));
    const progress = progressFor(io);
    let n = 0;
    // Thumbnails only for the HTML report: the other formats do not show photos.
    const thumbnails = opts.format === 'html' ? { thumbnails: createThumbnailCollector() } : {};
    return buildReport({ cfg, directory, cloud, ...thumbnails, onUser: () => progress.tick('comparing', ++n) }, opts.user ? { user: opts.user } : {}).finally(() => progress.stop());
  });
  return {
    data: report,
    exitCode: exitCodeOf({ kind: 'done' }),
    format: opts.format,
    render: (f) => renderReportChunks(report, f as ReportFormat),
    ...(outFile ? { outFile } : {}),
  };
}

export function registerReport(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description('report whose photo drifted between on-prem and the cloud (read-only)')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'table')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--user <id>', 'only this user: UPN, sAMAccountName, mail or objectGUID')
    .option('--config <file>', 'config file (default ./hybrid-photo-sync.config.json)')
    .action(async (raw: Record<string, unknown>) => {
      await ctx.execute(() => runReport(ctx.parse(reportOptions, raw), ctx.io));
    });
}
