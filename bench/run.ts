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
import { speedFacts } from './floor.js';
import { ensureBuilt } from './compiled.js';
import { firstReconcileScenario, reportScenario, rerunScenario, startupScenario, type ScenarioContext } from './scenarios.js';
import { serialScenario } from './serial.js';
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
    const small = opts.report ? await writeTenant(await mkdirp(join(workDir, 'tenant-quarter')), quarter, pool) : full;
    log(`tenants written: ${full.users} users (LDIF ${(full.ldifBytes / 2 ** 20).toFixed(1)} MB) in ${(full.writeMs / 1000).toFixed(1)} s; ${small.users} users`);

    const ctx: ScenarioContext = {
      repoRoot: REPO_ROOT, workDir, timeoutMs: 120_000 + 40 * opts.users, cpuProf: opts.cpuProf, log,
      ...(opts.maxOldSpaceMb ? { maxOldSpaceMb: opts.maxOldSpaceMb } : {}),
    };
    ensureBuilt(REPO_ROOT, log);
    const scenarios: ScenarioResult[] = [];
    scenarios.push(done(await startupScenario(ctx)));
    const sessionOptions = { latencyMs: opts.latencyMs, changeThreshold: Math.max(2000, opts.users), maxInFlight: opts.maxInFlight };
    const scoped = (r: ScenarioResult, scope: ScenarioResult['scope']): ScenarioResult => (scope ? { ...r, scope } : r);

    for (const [i, scope] of opts.scopes.entries()) {
      const a = await openSession(full, { ...sessionOptions, scope, name: scope });
      log(`emulator: ${scope} scope, ${opts.latencyMs} ms latency; tool ceiling cloud.maxInFlight ${opts.maxInFlight}`);
      try {
        if (i === 0 && opts.report) scenarios.push(done(scoped(await reportScenario(ctx, a, 'report', full.users, full.expected), scope)));
        scenarios.push(done(scoped(await firstReconcileScenario(ctx, a, full.users, full.expected), scope)));
        scenarios.push(done(scoped(await rerunScenario(ctx, a, full.users, full.expected), scope)));
      } finally {
        await a.stop();
      }
    }
    if (opts.report) {
      const b = await openSession(small, { ...sessionOptions, scope: opts.scopes[0] ?? 'app' });
      try {
        scenarios.push(done(scoped(await reportScenario(ctx, b, 'report-quarter', small.users, small.expected), b.scope)));
      } finally {
        await b.stop();
      }
    }
    let serialMs: { first: number; rerun: number } | undefined;
    if (opts.serial) {
      const c = await openSession(full, { ...sessionOptions, scope: 'app', name: 'serial' });
      try {
        const serial = await serialScenario(ctx, c, full, pool);
        scenarios.push(done(serial.scenario));
        // The script's process time for the run that writes; its GETs alone for a run with nothing to write.
        if (serial.outcome) serialMs = { first: serial.scenario.wallMs, rerun: serial.scenario.wallMs - serial.outcome.putMs };
      } finally {
        await c.stop();
      }
    }
    for (const r of scenarios) {
      const base = r.id === 'reconcile-first' ? serialMs?.first : r.id === 'reconcile-rerun' ? serialMs?.rerun : undefined;
      const speed = speedFacts(r, { cloudUsers: r.id === 'report-quarter' ? small.cloudUsers : full.cloudUsers, latencyMs: opts.latencyMs, maxInFlight: opts.maxInFlight, ...(base !== undefined ? { serialMs: base } : {}) });
      if (speed) r.speed = speed;
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
      options: {
        users: opts.users, quarter, pool: opts.pool, quick: opts.quick, latencyMs: opts.latencyMs, maxOldSpaceMb: opts.maxOldSpaceMb ?? null,
        scopes: opts.scopes, maxInFlight: opts.maxInFlight, serial: opts.serial, report: opts.report,
      },
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
  const out = resolve(opts.out ?? join(REPO_ROOT, 'bench', 'results', `bench-${opts.users}u${opts.latencyMs > 0 ? `-${opts.latencyMs}ms` : ''}.json`));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(renderText(result));
  process.stdout.write(`result: ${out}\n`);
  return result.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
