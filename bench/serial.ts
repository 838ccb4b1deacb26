/**
 * The serial baseline scenario: bench/serial-script.ts (GET each user's photo, PUT where the plan writes, one
 * request at a time) against a fresh emulator session of the same tenant, timed like the CLI runs. Its GET time
 * alone is the baseline of a no-change rerun (the same script with nothing to write).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childScript } from './compiled.js';
import { runCli } from './child.js';
import type { EmulatorSession } from './emulator-session.js';
import { upnOf } from './ldif.js';
import { userSpec, type Kind } from './mix.js';
import type { PhotoPool } from './photo-pool.js';
import type { ScenarioResult } from './result.js';
import type { ScenarioContext } from './scenarios.js';
import type { SerialJob, SerialOutcome } from './serial-script.js';
import type { Tenant } from './tenant.js';

/** Kinds a first reconcile writes (bench/mix.ts expectedFirstSets). */
const WRITTEN: ReadonlySet<Kind> = new Set(['drifted', 'missing-in-cloud', 'missing-in-cloud-placeholder']);

async function writeJob(ctx: ScenarioContext, session: EmulatorSession, tenant: Tenant, pool: PhotoPool): Promise<string> {
  const dir = join(ctx.workDir, 'serial-photos');
  await mkdir(dir, { recursive: true });
  const written = new Set<string>();
  const users: SerialJob['users'] = [];
  for (let i = 0; i < tenant.users; i++) {
    const spec = userSpec(i, pool.size);
    if (!WRITTEN.has(spec.kind) || spec.sourcePicture === undefined) {
      users.push({ upn: upnOf(i) });
      continue;
    }
    const file = join(dir, `${spec.sourcePicture}-${spec.thumbSide}.jpg`);
    if (!written.has(file)) {
      await writeFile(file, pool.thumbnail(spec.sourcePicture, spec.thumbSide));
      written.add(file);
    }
    users.push({ upn: upnOf(i), put: file });
  }
  const e = session.emulator;
  const job: SerialJob = {
    graphBaseUrl: e.graphBaseUrl,
    tokenUrl: `${e.authority}/oauth2/v2.0/token`,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    caFile: e.caCertPath,
    users,
  };
  const path = join(ctx.workDir, 'serial-job.json');
  await writeFile(path, JSON.stringify(job));
  return path;
}

export interface SerialResult {
  scenario: ScenarioResult;
  outcome?: SerialOutcome;
}

export async function serialScenario(ctx: ScenarioContext, session: EmulatorSession, tenant: Tenant, pool: PhotoPool): Promise<SerialResult> {
  const jobPath = await writeJob(ctx, session, tenant, pool);
  const stop = session.watch();
  const run = await runCli({
    repoRoot: ctx.repoRoot,
    script: childScript(ctx.repoRoot, 'serial-script'),
    args: [jobPath],
    env: process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {},
    probeFile: join(ctx.workDir, 'probe-serial.json'),
    timeoutMs: ctx.timeoutMs * 4,
  });
  const watched = stop();
  let outcome: SerialOutcome | undefined;
  try {
    outcome = JSON.parse(run.stdout) as SerialOutcome;
  } catch {
    outcome = undefined;
  }
  const p = run.probe;
  const scenario: ScenarioResult = {
    id: 'serial-baseline',
    title: `serial script: GET each photo, PUT where the plan writes (${tenant.users.toLocaleString('en-US')} users)`,
    users: tenant.users,
    command: 'node bench/serial-script.ts (transpiled) $WORK/serial-job.json',
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    startupMs: null,
    usersPerSecond: tenant.users / (run.wallMs / 1000),
    peakRss: p ? Math.max(p.maxRss, p.peakRss) : null,
    peakHeapUsed: p ? p.peakHeapUsed : null,
    cpuMs: p ? p.cpuUserMs + p.cpuSystemMs : null,
    emulatorCpuMs: watched.cpuMs,
    otherCpuMs: null,
    traffic: watched.traffic,
    cloudWrites: watched.cloudWrites,
    memoryTimeline: [],
    checks: [
      { name: 'ran to the end', ok: run.exitCode === 0 && outcome !== undefined, detail: run.timedOut ? 'timed out' : `exit ${run.exitCode}` },
      {
        name: 'GET per user, PUT per planned write',
        ok: outcome !== undefined && outcome.gets === tenant.users,
        detail: outcome ? `${outcome.gets} GETs, ${outcome.puts} PUTs` : 'no outcome',
      },
    ],
    ...(outcome ? { serial: { getMs: outcome.getMs, putMs: outcome.putMs } } : {}),
  };
  if (!scenario.checks.every((c) => c.ok)) scenario.stderrTail = run.stderr.trimEnd().split('\n').slice(-15).join('\n');
  return { scenario, ...(outcome ? { outcome } : {}) };
}
