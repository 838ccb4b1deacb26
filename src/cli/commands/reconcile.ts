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
import { WRITE_MODES, type Config } from '../../config/schema.js';
import { directoryKey } from '../../state/keys.js';
import { runSummary, type RunSummary } from '../../report/run-summary.js';
import { renderRunJson, renderRunText } from '../../report/run-text.js';
import { planPage } from '../../report/html/from-plan.js';
import { renderHtmlPage } from '../../report/html/render.js';
import { createThumbnailCollector } from '../../usecases/thumbnails.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { addRunCounts, adRunCounts, exitCodeOf, runCounts } from '../exit-policy.js';
import { runHooks, type CliIo } from '../io.js';
import { checkOutputFile, type CommandResult } from '../output.js';
import { progressFor } from '../progress.js';
import { withResources } from '../resources.js';
import type { AdImportResult } from '../../sync/decide/ad-plan.js';
import { adStep, cloudConfig, cloudSource } from '../../usecases/write-mode.js';
import { withAdOutput } from './write-mode.js';

const common = {
  dryRun: z.boolean().default(false),
  allowDelete: z.boolean().default(false),
  force: z.boolean().default(false),
  output: z.enum(['text', 'json', 'html']).default('text'),
  out: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  writeMode: z.enum(WRITE_MODES).optional(),
};

export const reconcileOptions = z.strictObject({ ...common, full: z.boolean().default(false), reload: z.boolean().default(false) });
export const fixOptions = z.strictObject({ ...common, user: z.string().trim().min(1, 'give a user: UPN, sAMAccountName, mail or objectGUID') });


function dirKey(cfg: Config): string {
  return cfg.directory.type === 'ldap' ? directoryKey(cfg.directory.url, cfg.directory.baseDn) : `ldif:${cfg.directory.file}`;
}

async function execute(io: CliIo, raw: z.infer<typeof reconcileOptions> & { user?: string }, command: 'reconcile' | 'fix'): Promise<CommandResult<RunSummary | undefined>> {
  const cfg = await loadConfig(resolve(io.cwd, raw.config ?? DEFAULT_CONFIG_FILE));
  // fix is one user through the cloud writers; the write mode is reconcile's (docs/write-modes.md).
  const writeMode = command === 'fix' ? 'cloud' : (raw.writeMode ?? cfg.reconcile.writeMode);
  const opts: SyncOptions = { dryRun: raw.dryRun, full: raw.full, reload: raw.reload, allowDelete: raw.allowDelete, force: raw.force, ...(raw.user ? { user: raw.user } : {}) };
  const outFile = raw.out === undefined ? undefined : resolve(io.cwd, raw.out);
  if (outFile) await checkOutputFile(outFile);
  let html: (() => string) | undefined;
  // Thumbnails only for the HTML page: the text and JSON forms do not show photos.
  const thumbnails = raw.output === 'html' ? createThumbnailCollector() : undefined;
  type Value = { summary?: RunSummary; ad?: AdImportResult };
  const { summary, ad } = await withRun<Value>(cfg, io.env, { name: command, options: { ...opts, writeMode }, ...runHooks(io) }, async (run) => {
    const ad = await adStep(writeMode, cfg, io.env, io.log, run, opts);
    if (writeMode === 'ad' && ad) {
      const exitCode = exitCodeOf({ kind: 'run', run: adRunCounts(ad) });
      return { value: { ad }, status: ad.refused ? 'aborted' : exitCode === EXIT.ok ? 'ok' : 'partial', exitCode, summary: { activeDirectory: ad.summary } };
    }
    return withResources(async (use) => {
      const directory = cloudSource(ad, cfg, use(await openDirectory(cloudConfig(writeMode, cfg), io.env, io.log)));
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
      const counts = runCounts(result, verification);
      const exitCode = exitCodeOf({ kind: 'run', run: ad ? addRunCounts(counts, adRunCounts(ad)) : counts });
      const budget = cloud.limiter.stats();
      const graph = { requests: budget.requests, throttled: budget.throttled, waitedMs: budget.waitedMs, peakInFlight: budget.peakAllowance, maxInFlight: cloud.limiter.maxConcurrency };
      const s = runSummary(result, exitCode, { command, graph, ...(verification ? { verification } : {}) });
      html = () => renderHtmlPage(planPage(result.plan.decisions, s, thumbnails?.visuals));
      const status = result.refused || ad?.refused ? 'aborted' : exitCode === EXIT.ok ? 'ok' : 'partial';
      return { value: { summary: s, ...(ad ? { ad } : {}) }, status, exitCode, summary: ad ? { ...s.summary, activeDirectory: ad.summary } : s.summary };
    });
  });
  const exitCode = summary?.exitCode ?? exitCodeOf({ kind: 'run', run: adRunCounts(ad as AdImportResult) });
  // The HTML page shows the cloud plan; a run that wrote only to AD (write mode ad) has none and prints its text.
  const render = (f: string): string =>
    f === 'html' && html ? html() : withAdOutput(f, summary ? (f === 'json' ? renderRunJson(summary) : renderRunText(summary)) : undefined, ad);
  return { data: summary, exitCode, format: raw.output, render, ...(outFile ? { outFile } : {}) };
}

export function runReconcile(opts: z.infer<typeof reconcileOptions>, io: CliIo): Promise<CommandResult<RunSummary | undefined>> {
  return execute(io, opts, 'reconcile');
}

export function runFix(opts: z.infer<typeof fixOptions>, io: CliIo): Promise<CommandResult<RunSummary | undefined>> {
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
    .option('--write-mode <mode>', 'where photos go: cloud, ad (AD thumbnailPhoto; Entra Connect carries it) or both (default: reconcile.writeMode)')
    .action(async (raw: Record<string, unknown>) => {
      await ctx.execute(() => runReconcile(ctx.parse(reconcileOptions, raw), ctx.io));
    });
  withCommonOptions(program.command('fix').description('reconcile one user now, then read the cloud photo back to verify'))
    .argument('<user>', 'UPN, sAMAccountName (or DOMAIN\\name), mail or objectGUID')
    .action(async (user: string, raw: Record<string, unknown>) => {
      await ctx.execute(() => runFix(ctx.parse(fixOptions, { ...raw, user }), ctx.io));
    });
}
