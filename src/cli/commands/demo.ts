/**
 * `hps demo`: the whole tool on an embedded world, on any machine, straight after install. It starts the Graph
 * emulator (HTTPS on 127.0.0.1) with a bundled tenant, reads a bundled LDIF export of an on-prem OU, prints
 * the drift report, reconciles, and reports again. The commands run exactly as against a real tenant: only the
 * config's base URLs point at the emulator.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { packageRoot } from '../package-root.js';
import { runSync } from '../../usecases/sync.js';
import { buildReport } from '../../usecases/report.js';
import { createThumbnailCollector } from '../../usecases/thumbnails.js';
import { withRun } from '../../usecases/run-frame.js';
import { runSummary, type RunSummary } from '../../report/run-summary.js';
import { renderRunText } from '../../report/run-text.js';
import { openCloud, openDirectory } from '../../usecases/wiring.js';
import { parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { renderReport, type Report } from '../../report/index.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeOf, runCounts } from '../exit-policy.js';
import { runHooks, type CliIo } from '../io.js';
import type { CommandResult } from '../output.js';
import { withResources } from '../resources.js';

export const demoOptions = z.strictObject({
  outDir: z.string().min(1).optional(),
});
export type DemoOptions = z.infer<typeof demoOptions>;

/** The emulator is started in-process from the package's mocks/ (the same relative path from src/ and dist/src/). */
interface Emulator {
  baseUrl: string;
  authorityHost: string;
  tenantId: string;
  caCertPath: string;
  stop(): Promise<void>;
}
type StartEmulator = (opts: { state: string; port: number }) => Promise<Emulator>;

/**
 * The emulator from the package: compiled under dist/ when this code runs from dist/ (the one-file CLI is
 * dist/src/cli/main.js, so a path relative to this module would not do), its sources under tsx.
 */
async function loadEmulator(): Promise<StartEmulator> {
  const compiled = extname(fileURLToPath(import.meta.url)) === '.js';
  const file = join(packageRoot(), ...(compiled ? ['dist'] : []), 'mocks', 'graph-emulator', 'index.js');
  const mod = (await import(pathToFileURL(file).href)) as { startEmulator: StartEmulator };
  return mod.startEmulator;
}

interface DemoTenant {
  clients: Array<{ clientId: string; secret: string }>;
}

export interface DemoData {
  outDir: string;
  before: Report;
  run: RunSummary;
  after: Report;
  files: string[];
}

function demoConfig(emu: Emulator, clientId: string, demoDir: string, outDir: string): Config {
  return parseConfig(
    {
      directory: { type: 'ldif', file: join(demoDir, 'directory.ldif') },
      cloud: {
        tenantId: emu.tenantId,
        clientId,
        clientSecretEnv: 'HPS_DEMO_CLIENT_SECRET',
        authorityHost: emu.baseUrl,
        graphBaseUrl: emu.baseUrl,
        caFile: emu.caCertPath,
      },
      state: { path: join(outDir, 'state.db'), auditLog: join(outDir, 'audit.jsonl') },
    },
    'demo config',
    outDir,
  );
}

export async function runDemo(opts: DemoOptions, io: CliIo): Promise<CommandResult<DemoData>> {
  const demoDir = join(packageRoot(), 'mocks', 'demo');
  const outDir = opts.outDir ? resolve(io.cwd, opts.outDir) : await mkdtemp(join(tmpdir(), 'hps-demo-'));
  await mkdir(outDir, { recursive: true });
  const tenant = JSON.parse(await readFile(join(demoDir, 'tenant.json'), 'utf8')) as DemoTenant;
  const client = tenant.clients[0];
  if (!client) throw new Error('demo tenant has no client');
  const startEmulator = await loadEmulator();

  const data = await withResources(async (use) => {
    const emu: Emulator = await startEmulator({ state: join(demoDir, 'tenant.json'), port: 0 });
    use({ close: () => emu.stop() });
    io.err(`demo: Graph emulator on ${emu.baseUrl} (tenant ${emu.tenantId}); on-prem users from ${join(demoDir, 'directory.ldif')}\n`);
    const cfg = demoConfig(emu, client.clientId, demoDir, outDir);
    // The config the demo ran with, as a valid example (its emulator URLs die with the demo).
    await writeFile(join(outDir, 'hybrid-photo-sync.config.json'), `${JSON.stringify(cfg, null, 2)}\n`);
    // The demo's client secret is part of the demo tenant; it reaches the tool the way real secrets do.
    const env = { ...io.env, HPS_DEMO_CLIENT_SECRET: client.secret };
    const directory = use(await openDirectory(cfg, env, io.log));
    const cloud = use(await openCloud(cfg, env, io.log));
    const before = await buildReport({ cfg, directory, cloud, thumbnails: createThumbnailCollector() });
    const run = await withRun(cfg, env, { name: 'reconcile', options: { demo: true }, ...runHooks(io) }, async (ctx) => {
      const r = await runSync(
        { cfg, directory, directoryKey: 'demo', cloud, state: ctx.state, audit: ctx.audit, runId: ctx.runId, log: io.log },
        { dryRun: false, full: false, reload: false, allowDelete: false, force: false },
      );
      const summary = runSummary(r, exitCodeOf({ kind: 'run', run: runCounts(r) }));
      return { value: summary, status: summary.exitCode === EXIT.ok ? 'ok' : 'partial', exitCode: summary.exitCode, summary: summary.summary };
    });
    const after = await buildReport({ cfg, directory, cloud, thumbnails: createThumbnailCollector() });
    const files = [join(outDir, 'report-before.html'), join(outDir, 'report-after.html'), join(outDir, 'report-after.json'), join(outDir, 'audit.jsonl')];
    await writeFile(files[0] as string, renderReport(before, 'html'));
    await writeFile(files[1] as string, renderReport(after, 'html'));
    await writeFile(files[2] as string, renderReport(after, 'json'));
    return { outDir, before, run, after, files: [...files, join(outDir, 'state.db'), join(outDir, 'hybrid-photo-sync.config.json')] };
  });

  return {
    data,
    exitCode: exitCodeOf({ kind: 'done' }),
    format: 'text',
    render: () =>
      [
        '== 1. Drift report (hps report): the on-prem LDIF export vs. the emulated tenant',
        '',
        renderReport(data.before, 'table'),
        '== 2. Reconcile (hps reconcile): push what is missing or drifted',
        '',
        renderRunText(data.run),
        '== 3. Drift report again',
        '',
        renderReport(data.after, 'table'),
        'Files:',
        ...data.files.map((f) => `  ${f}`),
        '',
      ].join('\n'),
  };
}

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description('run the tool end to end on an embedded demo (a local Graph emulator and a bundled LDIF export)')
    .option('--out-dir <dir>', 'where to write the demo report, state and config (default: a new temp folder)')
    .action(async (raw: Record<string, unknown>) => {
      await ctx.execute(() => runDemo(ctx.parse(demoOptions, raw), ctx.io));
    });
}
