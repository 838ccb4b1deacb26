/**
 * `npm run bench`: builds a synthetic hybrid tenant (LDIF export + Graph emulator state), then times the CLI as a
 * user runs it — report, first reconcile, no-change rerun, and report at a quarter of the users for memory
 * scaling — each in its own child process with peak RSS and heap sampled. Prints a table, writes a JSON result,
 * and exits 1 when a correctness check fails (e.g. the no-change rerun downloaded or wrote anything).
 * See docs/benchmarks.md.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './args.js';
import { openSession } from './emulator-session.js';
import { evaluateGoals, memoryRatio } from './goals.js';
import { machineInfo } from './machine.js';
import { loadPhotoPool } from './photo-pool.js';
import { renderText } from './render.js';
import type { BenchResult, ScenarioResult, TenantFacts } from './result.js';
import { firstReconcileScenario, reportScenario, rerunScenario, startupScenario, type ScenarioContext } from './scenarios.js';
import { writeTenant, type Tenant } from './tenant.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function facts(t: Tenant): TenantFacts {
  return { users: t.users, cloudUsers: t.cloudUsers, ldifBytes: t.ldifBytes, sourcePhotoBytes: t.sourcePhotoBytes, comparedCloudPhotoBytes: t.comparedCloudPhotoBytes, writeMs: t.writeMs };
}

function commandLine(argv: readonly string[]): string {
  const args = argv.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node --import tsx bench/run.ts${args ? ` ${args}` : ''}`;
}

function done(r: ScenarioResult): ScenarioResult {
  const bad = r.checks.filter((c) => !c.ok);
  log(`${r.id}: ${(r.wallMs / 1000).toFixed(1)} s, peak RSS ${r.peakRss === null ? '?' : (r.peakRss / 2 ** 20).toFixed(0)} MB${bad.length ? ` — FAILED: ${bad.map((c) => c.name).join('; ')}` : ''}`);
  if (r.stderrTail) log(`${r.id} stderr (tail):\n${r.stderrTail}`);
  return r;
}

async function bench(opts: BenchOptions, argv: readonly string[]): Promise<BenchResult> {
  const t0 = performance.now();
  const date = new Date().toISOString();
  const workDir = opts.workDir ? resolve(opts.workDir) : await mkdtemp(join(tmpdir(), 'hps-bench-'));
  await mkdir(workDir, { recursive: true });
  log(`work folder ${workDir}`);
  try {
    const pool = await loadPhotoPool({ size: opts.pool });
    log(`photo pool: ${pool.size} pictures ${pool.generated ? `made in ${(pool.generateMs / 1000).toFixed(1)} s` : 'from the cache'} (${pool.dir})`);
    const quarter = Math.max(1, Math.floor(opts.users / 4));
    const full = await writeTenant(await mkdirp(join(workDir, 'tenant-full')), opts.users, pool);
    const small = await writeTenant(await mkdirp(join(workDir, 'tenant-quarter')), quarter, pool);
    log(`tenants written: ${full.users} users (LDIF ${(full.ldifBytes / 2 ** 20).toFixed(1)} MB) in ${(full.writeMs / 1000).toFixed(1)} s; ${small.users} users`);

    const ctx: ScenarioContext = {
      repoRoot: REPO_ROOT, workDir, timeoutMs: 120_000 + 40 * opts.users, cpuProf: opts.cpuProf, log,
      ...(opts.maxOldSpaceMb ? { maxOldSpaceMb: opts.maxOldSpaceMb } : {}),
    };
    const scenarios: ScenarioResult[] = [];
    scenarios.push(done(await startupScenario(ctx)));
    const sessionOptions = { latencyMs: opts.latencyMs, changeThreshold: Math.max(2000, opts.users) };

    const a = await openSession(full, sessionOptions);
    try {
      scenarios.push(done(await reportScenario(ctx, a, 'report', full.users, full.expected)));
      scenarios.push(done(await firstReconcileScenario(ctx, a, full.users, full.expected)));
      scenarios.push(done(await rerunScenario(ctx, a, full.users, full.expected)));
    } finally {
      await a.stop();
    }
    const b = await openSession(small, sessionOptions);
    try {
      scenarios.push(done(await reportScenario(ctx, b, 'report-quarter', small.users, small.expected)));
    } finally {
      await b.stop();
    }

    const goals = evaluateGoals(scenarios, opts.users, opts.latencyMs);
    const checksOk = scenarios.every((s) => s.checks.every((c) => c.ok));
    const ratio = memoryRatio(scenarios);
    const fullRss = scenarios.find((s) => s.id === 'report')?.peakRss ?? null;
    const quarterRss = scenarios.find((s) => s.id === 'report-quarter')?.peakRss ?? null;
    return {
      format: 1,
      date,
      command: commandLine(argv),
      machine: machineInfo(REPO_ROOT),
      options: { users: opts.users, quarter, pool: opts.pool, quick: opts.quick, latencyMs: opts.latencyMs, maxOldSpaceMb: opts.maxOldSpaceMb ?? null },
      pool: { size: pool.size, generated: pool.generated, ms: pool.generateMs },
      tenants: { full: facts(full), quarter: facts(small) },
      scenarios,
      goals,
      memory: {
        ratio,
        growthBytes: fullRss !== null && quarterRss !== null ? fullRss - quarterRss : null,
        photoBytesFull: full.sourcePhotoBytes + full.comparedCloudPhotoBytes,
        photoBytesQuarter: small.sourcePhotoBytes + small.comparedCloudPhotoBytes,
      },
      ok: checksOk && (!opts.strict || goals.every((g) => g.met !== false)),
      totalMs: performance.now() - t0,
    };
  } finally {
    if (!opts.keep && !opts.workDir) await rm(workDir, { recursive: true, force: true });
    else log(`kept ${workDir}`);
  }
}

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const result = await bench(opts, argv);
  const out = resolve(opts.out ?? join(REPO_ROOT, 'bench', 'results', `bench-${opts.users}u.json`));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(renderText(result));
  process.stdout.write(`result: ${out}\n`);
  return result.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
