/**
 * `hps reconcile`: the scheduled job. `hps fix <user>`: the same for one user, then a read-back check.
 * Both share the run frame (lock, state, audit) and the exit codes in docs/scheduling.md.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { exchangeWriterFactory } from '../../usecases/exchange.js';
import { runFix as fixUser, type FixResult } from '../../usecases/fix.js';
import { withRun } from '../../usecases/run-frame.js';
import { runSync, type SyncOptions } from '../../usecases/sync.js';
import { openCloud, openDirectory } from '../../usecases/wiring.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { directoryKey } from '../../state/keys.js';
import { runSummary, type RunSummary } from '../../report/run-summary.js';
import { renderRunJson, renderRunText } from '../../report/run-text.js';
import { planPage } from '../../report/html/from-plan.js';
import { renderHtmlPage } from '../../report/html/render.js';
import { createThumbnailCollector } from '../../usecases/thumbnails.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeOf, runCounts } from '../exit-policy.js';
import { runHooks, type CliIo } from '../io.js';
import { checkOutputFile, type CommandResult } from '../output.js';
import { progressFor } from '../progress.js';
import { withResources } from '../resources.js';

const common = {
  dryRun: z.boolean().default(false),
  allowDelete: z.boolean().default(false),
  force: z.boolean().default(false),
  output: z.enum(['text', 'json', 'html']).default('text'),
  out: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
};

export const reconcileOptions = z.strictObject({ ...common, full: z.boolean().default(false), reload: z.boolean().default(false) });
export const fixOptions = z.strictObject({ ...common, user: z.string().trim().min(1, 'give a user: UPN, sAMAccountName, mail or objectGUID') });


function dirKey(cfg: Config): string {
  return cfg.directory.type === 'ldap' ? directoryKey(cfg.directory.url, cfg.directory.baseDn) : `ldif:${cfg.directory.file}`;
}

async function execute(io: CliIo, raw: z.infer<typeof reconcileOptions> & { user?: string }, command: 'reconcile' | 'fix'): Promise<CommandResult<RunSummary>> {
  const cfg = await loadConfig(resolve(io.cwd, raw.config ?? DEFAULT_CONFIG_FILE));
  const opts: SyncOptions = { dryRun: raw.dryRun, full: raw.full, reload: raw.reload, allowDelete: raw.allowDelete, force: raw.force, ...(raw.user ? { user: raw.user } : {}) };
  const outFile = raw.out === undefined ? undefined : resolve(io.cwd, raw.out);
  if (outFile) await checkOutputFile(outFile);
  let html: (() => string) | undefined;
  // Thumbnails only for the HTML page: the text and JSON forms do not show photos.
  const thumbnails = raw.output === 'html' ? createThumbnailCollector() : undefined;
  const summary = await withRun(cfg, io.env, { name: command, options: opts, ...runHooks(io) }, async (run) =>
    withResources(async (use) => {
      const directory = use(await openDirectory(cfg, io.env, io.log));
      const cloud = use(await openCloud(cfg, io.env, io.log));
      const exchangeWriter = exchangeWriterFactory(cfg.exchange, (t) => io.log.warn(`PowerShell: ${t.trim()}`));
      const progress = progressFor(io);
      const deps = {
        cfg, directory, directoryKey: dirKey(cfg), cloud, state: run.state, audit: run.audit, runId: run.runId, log: io.log,
        ...(exchangeWriter ? { exchangeWriter } : {}),
        ...(thumbnails ? { thumbnails } : {}),
        onProgress: (phase: 'read' | 'apply', done: number, total?: number) => progress.tick(phase === 'read' ? 'comparing' : 'writing', done, total),
      };
      const running = opts.user ? fixUser(deps, { ...opts, user: opts.user }) : runSync(deps, opts).then((result): FixResult => ({ result }));
      const { result, verification } = await running.finally(() => progress.stop());
      const exitCode = exitCodeOf({ kind: 'run', run: runCounts(result, verification) });
      const s = runSummary(result, exitCode, { command, ...(verification ? { verification } : {}) });
      html = () => renderHtmlPage(planPage(result.plan.decisions, s, thumbnails?.visuals));
      const status = result.refused ? 'aborted' : exitCode === EXIT.ok ? 'ok' : 'partial';
      return { value: s, status, exitCode, summary: s.summary };
    }),
  );
  const render = (f: string): string => (f === 'json' ? renderRunJson(summary) : f === 'html' && html ? html() : renderRunText(summary));
  return { data: summary, exitCode: summary.exitCode, format: raw.output, render, ...(outFile ? { outFile } : {}) };
}

export function runReconcile(opts: z.infer<typeof reconcileOptions>, io: CliIo): Promise<CommandResult<RunSummary>> {
  return execute(io, opts, 'reconcile');
}

export function runFix(opts: z.infer<typeof fixOptions>, io: CliIo): Promise<CommandResult<RunSummary>> {
  return execute(io, { ...opts, full: false, reload: false }, 'fix');
}

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--dry-run', 'show the plan; write nothing')
    .option('--allow-delete', 'delete cloud photos whose on-prem photo was cleared')
    .option('--force', 'apply even when a safety threshold refuses the plan')
    .option('--output <format>', 'text, json (a summary for schedulers) or html (the plan with photos side by side)', 'text')
    .option('--out <file>', 'write the output to a file instead of stdout (e.g. --dry-run --output html --out plan.html)')
    .option('--config <file>', 'config file (default ./hybrid-photo-sync.config.json)');
}

export function registerReconcile(program: Command, ctx: CommandContext): void {
  withCommonOptions(program.command('reconcile').description('make cloud photos match on-prem (incremental; the scheduled job)'))
    .option('--full', 'read every user, not only those changed since the last run')
    .option('--reload', 'push every source photo again, ignoring state')
    .action(async (raw: Record<string, unknown>) => {
      await ctx.execute(() => runReconcile(ctx.parse(reconcileOptions, raw), ctx.io));
    });
  withCommonOptions(program.command('fix').description('reconcile one user now, then read the cloud photo back to verify'))
    .argument('<user>', 'UPN, sAMAccountName (or DOMAIN\\name), mail or objectGUID')
    .action(async (user: string, raw: Record<string, unknown>) => {
      await ctx.execute(() => runFix(ctx.parse(fixOptions, { ...raw, user }), ctx.io));
    });
}
