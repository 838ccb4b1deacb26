/**
 * The benchmark's scenarios: each one CLI run in a child process against a session's emulator, timed, with
 * the probe's memory figures, the Graph traffic it caused, and correctness checks on what it did.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCli, type CliRun } from './child.js';
import type { EmulatorSession, Watched } from './emulator-session.js';
import { expectedFirstSets, type ExpectedSummary } from './mix.js';
import type { ProbeResult } from './probe.js';
import type { Check, ScenarioResult } from './result.js';
import { emptyTraffic } from './traffic.js';
import { machineBusyMs } from './machine.js';

export interface ScenarioContext {
  repoRoot: string;
  workDir: string;
  /** Per-run limit; the bench stops by itself. */
  timeoutMs: number;
  cpuProf: boolean;
  /** Passed to every CLI run as --max-old-space-size (MB): shows the tool runs within a bounded heap. */
  maxOldSpaceMb?: number;
  log: (line: string) => void;
}

const STATUSES = ['in-sync', 'drifted', 'missing-in-cloud', 'missing-in-source', 'unmatched', 'blocked', 'error'] as const;

/** At most ~30 points of the probe's once-a-second samples. */
function timeline(p: ProbeResult | undefined): Array<[number, number, number]> {
  if (!p) return [];
  const step = Math.max(1, Math.ceil(p.timeline.length / 30));
  const mb = (b: number): number => Math.round(b / 2 ** 20);
  return p.timeline.filter((_, i) => i % step === 0 || i === p.timeline.length - 1).map((x) => [Math.round(x.t / 1000), mb(x.rss), mb(x.heapUsed)]);
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function shown(ctx: ScenarioContext, args: readonly string[], env: Record<string, string>): string {
  const envText = Object.keys(env).map((k) => `${k}=…`).join(' ');
  const argText = args.map((a) => (a.startsWith(ctx.workDir) ? `$WORK/${relative(ctx.workDir, a)}` : a)).join(' ');
  return `${envText ? `${envText} ` : ''}node dist/src/cli/main.js ${argText}`;
}

async function runWatched(ctx: ScenarioContext, session: EmulatorSession | undefined, id: string, args: string[]): Promise<{ run: CliRun; watched: Watched; machineMs?: number }> {
  const stop = session?.watch();
  const busyBefore = machineBusyMs();
  const profDir = join(ctx.workDir, 'cpu-profiles', id);
  const run = await runCli({
    repoRoot: ctx.repoRoot,
    args,
    env: { ...(session?.env ?? {}), ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}) },
    probeFile: join(ctx.workDir, `probe-${id}.json`),
    timeoutMs: ctx.timeoutMs,
    nodeOptions: [
      ...(ctx.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
      ...(ctx.maxOldSpaceMb ? [`--max-old-space-size=${ctx.maxOldSpaceMb}`] : []),
    ],
  });
  const watched = stop ? stop() : { traffic: emptyTraffic(), cloudWrites: 0, cpuMs: 0 };
  const busyAfter = machineBusyMs();
  return { run, watched, ...(busyBefore !== undefined && busyAfter !== undefined ? { machineMs: busyAfter - busyBefore } : {}) };
}

function base(
  ctx: ScenarioContext,
  id: ScenarioResult['id'],
  title: string,
  users: number,
  { run, watched, machineMs }: { run: CliRun; watched: Watched; machineMs?: number },
  env: Record<string, string>,
): ScenarioResult {
  const p = run.probe;
  const toolMs = p ? p.cpuUserMs + p.cpuSystemMs : null;
  const startupMs = watched.firstRequestAt === undefined ? null : watched.firstRequestAt - run.startedAtEpoch;
  const result: ScenarioResult = {
    id,
    title,
    users,
    command: shown(ctx, run.args, env),
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    startupMs,
    usersPerSecond: users > 0 ? users / (run.wallMs / 1000) : null,
    peakRss: p ? Math.max(p.maxRss, p.peakRss) : null,
    peakHeapUsed: p ? p.peakHeapUsed : null,
    cpuMs: toolMs,
    emulatorCpuMs: watched.cpuMs,
    otherCpuMs: machineMs === undefined || toolMs === null ? null : Math.max(0, machineMs - toolMs - watched.cpuMs),
    traffic: watched.traffic,
    cloudWrites: watched.cloudWrites,
    memoryTimeline: timeline(p),
    checks: [],
  };
  const t = watched.traffic;
  if (t.firstWriteAt !== null && watched.firstRequestAt !== undefined) {
    const exitAt = run.startedAtEpoch + run.wallMs;
    const applyMs = exitAt - t.firstWriteAt;
    result.phases = { readMs: t.firstWriteAt - watched.firstRequestAt, applyMs, uploadsPerSecond: t.photoWrites / (applyMs / 1000) };
  }
  const ran: Check = {
    name: 'ran to the end',
    ok: !run.timedOut && run.probe !== undefined,
    detail: run.timedOut ? `killed after ${ctx.timeoutMs} ms` : run.probe ? `exit ${run.exitCode}` : 'no probe output (the process died?)',
  };
  result.checks.push(ran);
  return result;
}

function failedTail(r: ScenarioResult, run: CliRun): ScenarioResult {
  if (r.checks.some((c) => !c.ok)) r.stderrTail = tail(run.stderr);
  return r;
}

/** `--version`, twice: the first warms the file cache; the second is what we report. */
export async function startupScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  await runWatched(ctx, undefined, 'startup-warm', ['--version']);
  const ran = await runWatched(ctx, undefined, 'startup', ['--version']);
  const { run } = ran;
  const r = base(ctx, 'startup', 'CLI start-up (hps --version)', 0, ran, {});
  r.checks.push({ name: 'exit 0', ok: run.exitCode === 0, detail: `exit ${run.exitCode}` });
  return failedTail(r, run);
}

function summaryCheck(got: Record<string, unknown> | undefined, expected: ExpectedSummary): Check {
  if (!got) return { name: 'classification matches the generated mix', ok: false, detail: 'no summary in the output' };
  const wrong = (['total', ...STATUSES] as const).filter((k) => got[k] !== expected[k]);
  return {
    name: 'classification matches the generated mix',
    ok: wrong.length === 0,
    detail: wrong.length === 0 ? STATUSES.map((k) => `${k} ${expected[k]}`).join(', ') : wrong.map((k) => `${k}: expected ${expected[k]}, got ${String(got[k])}`).join('; '),
  };
}

export async function reportScenario(
  ctx: ScenarioContext,
  session: EmulatorSession,
  id: 'report' | 'report-quarter',
  users: number,
  expected: ExpectedSummary,
): Promise<ScenarioResult> {
  const out = join(ctx.workDir, `${id}.json`);
  const args = ['report', '--config', session.configPath, '--format', 'json', '--out', out];
  const ran = await runWatched(ctx, session, id, args);
  const { run, watched } = ran;
  const r = base(ctx, id, `report over ${users.toLocaleString('en-US')} users`, users, ran, session.env);
  r.checks.push({ name: 'exit 0', ok: run.exitCode === 0, detail: `exit ${run.exitCode}` });
  let summary: Record<string, unknown> | undefined;
  try {
    summary = (JSON.parse(await readFile(out, 'utf8')) as { summary: Record<string, unknown> }).summary;
    r.summary = summary;
  } catch {
    summary = undefined;
  }
  r.checks.push(summaryCheck(summary, expected));
  r.checks.push({
    name: 'read-only',
    ok: watched.cloudWrites === 0 && watched.traffic.photoWriteAttempts === 0,
    detail: `${watched.traffic.photoWriteAttempts} write attempts, ${watched.cloudWrites} cloud writes`,
  });
  return failedTail(r, run);
}

interface RunSummaryJson {
  summary?: { users: number; set: number; delete: number; errors: number; written: number; failed: number; overwrite: number };
  refused?: string | null;
}

function parseRunSummary(stdout: string): RunSummaryJson | undefined {
  try {
    return JSON.parse(stdout) as RunSummaryJson;
  } catch {
    return undefined;
  }
}

export async function firstReconcileScenario(ctx: ScenarioContext, session: EmulatorSession, users: number, expected: ExpectedSummary): Promise<ScenarioResult> {
  const args = ['reconcile', '--config', session.configPath, '--output', 'json'];
  const ran = await runWatched(ctx, session, 'reconcile-first', args);
  const { run, watched } = ran;
  const r = base(ctx, 'reconcile-first', `first reconcile of ${users.toLocaleString('en-US')} users`, users, ran, session.env);
  const out = parseRunSummary(run.stdout);
  const s = out?.summary;
  if (s) r.summary = { ...s, refused: out?.refused ?? null };
  const sets = expectedFirstSets(users);
  // Exit 1 (partial failure) is what the corrupt thumbnails should cause, and nothing else.
  const exitOk = run.exitCode === 0 ? expected.error === 0 : run.exitCode === 1 && s?.errors === expected.error && s.failed === 0;
  r.checks.push({ name: 'exit code 0, or 1 for the corrupt photos only', ok: exitOk, detail: `exit ${run.exitCode}, ${s?.errors ?? '?'} errors (expected ${expected.error}), ${s?.failed ?? '?'} failed writes` });
  r.checks.push({ name: 'not refused by a threshold', ok: out !== undefined && !out.refused, detail: out?.refused ?? 'not refused' });
  r.checks.push({ name: 'plans a set for every drifted and missing-in-cloud user', ok: s?.set === sets && s.delete === 0, detail: `set ${s?.set ?? '?'} (expected ${sets}), delete ${s?.delete ?? '?'}` });
  r.checks.push({
    name: 'every planned set reached the cloud once',
    ok: s !== undefined && s.written === sets && watched.cloudWrites === sets && watched.traffic.photoWrites === sets,
    detail: `written ${s?.written ?? '?'}, emulator write counts +${watched.cloudWrites}, successful PUTs ${watched.traffic.photoWrites}`,
  });
  return failedTail(r, run);
}

/** `reconcile --full` after the first: must download no photo bytes and write nothing. */
export async function rerunScenario(ctx: ScenarioContext, session: EmulatorSession, users: number, expected: ExpectedSummary): Promise<ScenarioResult> {
  const args = ['reconcile', '--full', '--config', session.configPath, '--output', 'json'];
  const ran = await runWatched(ctx, session, 'reconcile-rerun', args);
  const { run, watched } = ran;
  const r = base(ctx, 'reconcile-rerun', `no-change rerun (reconcile --full) of ${users.toLocaleString('en-US')} users`, users, ran, session.env);
  const out = parseRunSummary(run.stdout);
  const s = out?.summary;
  if (s) r.summary = { ...s, refused: out?.refused ?? null };
  const exitOk = run.exitCode === 0 ? expected.error === 0 : run.exitCode === 1 && s?.errors === expected.error && s.failed === 0;
  r.checks.push({ name: 'exit code 0, or 1 for the corrupt photos only', ok: exitOk, detail: `exit ${run.exitCode}, ${s?.errors ?? '?'} errors (expected ${expected.error})` });
  r.checks.push({ name: 'plans nothing', ok: s?.set === 0 && s.delete === 0, detail: `set ${s?.set ?? '?'}, delete ${s?.delete ?? '?'}` });
  r.checks.push({ name: 'downloads no photo bytes', ok: watched.traffic.photoDownloads === 0, detail: `${watched.traffic.photoDownloads} photo downloads (GET …/photo/$value answered 200)` });
  r.checks.push({
    name: 'writes nothing to the cloud',
    ok: watched.traffic.photoWriteAttempts === 0 && watched.cloudWrites === 0,
    detail: `${watched.traffic.photoWriteAttempts} PUT/PATCH/DELETE, emulator write counts +${watched.cloudWrites}`,
  });
  return failedTail(r, run);
}
