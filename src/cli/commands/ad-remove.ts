/**
 * `hps ad remove <user>`: clear one user's photo in Active Directory. Exit 0 cleared (or nothing to clear), 1 the DC
 * refused, 2 no such user.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { findOnPremUser } from '../../sync/read/scope.js';
import { selectorsFor } from '../../sync/read/identify.js';
import { runAdRemove, type AdRemoveResult } from '../../usecases/ad-remove.js';
import { openAdServices } from '../../usecases/ad-wiring.js';
import { withRun } from '../../usecases/run-frame.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { renderAdRemove } from '../../report/ad-import.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeOf, type RunCounts } from '../exit-policy.js';
import { runHooks, type CliIo } from '../io.js';
import type { CommandResult } from '../output.js';
import { withResources } from '../resources.js';

export const adRemoveOptions = z.strictObject({
  user: z.string().trim().min(1, 'give a user: UPN, sAMAccountName, mail or objectGUID'),
  jpegPhoto: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  output: z.enum(['text', 'json']).default('text'),
  config: z.string().min(1).optional(),
});

function removeCounts(r: AdRemoveResult): RunCounts {
  return { refused: false, blocked: 0, writes: r.result ? 1 : 0, failed: r.result && !r.result.ok ? 1 : 0, errors: 0 };
}

export async function runAdRemoveCommand(opts: z.infer<typeof adRemoveOptions>, io: CliIo): Promise<CommandResult<AdRemoveResult>> {
  const cfg = await loadConfig(resolve(io.cwd, opts.config ?? DEFAULT_CONFIG_FILE));
  const r = await withRun(cfg, io.env, { name: 'ad remove', options: opts, ...runHooks(io) }, async (run) =>
    withResources(async (use) => {
      const ad = use(await openAdServices(cfg, io.env, io.log));
      const value = await runAdRemove(
        { findUser: () => findOnPremUser(ad.directory, selectorsFor(opts.user), opts.user), ad: ad.writer, audit: run.audit, runId: run.runId },
        { jpegPhoto: opts.jpegPhoto, dryRun: opts.dryRun },
      );
      const exitCode = exitCodeOf({ kind: 'run', run: removeCounts(value) });
      return { value, exitCode, status: exitCode === EXIT.ok ? 'ok' : 'partial', summary: { cleared: value.cleared, dryRun: value.dryRun, ok: value.result?.ok ?? null } };
    }),
  );
  const exitCode = exitCodeOf({ kind: 'run', run: removeCounts(r) });
  return { data: r, exitCode, format: opts.output, render: (f) => renderAdRemove(r, f as 'text' | 'json') };
}

export function registerAdRemove(ad: Command, ctx: CommandContext): void {
  ad.command('remove')
    .description("clear a user's photo in AD (thumbnailPhoto; --jpeg-photo also jpegPhoto)")
    .argument('<user>', 'UPN, sAMAccountName (or DOMAIN\\name), mail or objectGUID')
    .option('--jpeg-photo', 'also clear jpegPhoto')
    .option('--dry-run', 'say what would be cleared; change nothing')
    .option('--output <format>', 'text or json', 'text')
    .option('--config <file>', 'config file (default ./hybrid-photo-sync.config.json)')
    .action(async (user: string, raw: Record<string, unknown>) => {
      await ctx.execute(() => runAdRemoveCommand(ctx.parse(adRemoveOptions, { ...raw, user }), ctx.io));
    });
}
