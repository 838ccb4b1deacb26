/**
 * Runs the CLI the way a user would (`node dist/src/cli/main.js <args>`, what `npx hps` starts) in a child process,
 * with the memory probe preloaded, a bounded run time, and stdout/stderr collected. See compiled.ts.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { childScript } from './compiled.js';
import type { ProbeResult } from './probe.js';

export interface CliRun {
  args: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to exit, as the orchestrator saw it. */
  wallMs: number;
  /** performance.now() of the orchestrator when the child was spawned. */
  startedAt: number;
  /** Date.now() when the child was spawned (to line up with the emulator's request log). */
  startedAtEpoch: number;
  stdout: string;
  stderr: string;
  probe?: ProbeResult;
  timedOut: boolean;
}

export interface CliRunOptions {
  repoRoot: string;
  args: readonly string[];
  env: Record<string, string>;
  /** Where the probe writes its JSON. */
  probeFile: string;
  timeoutMs: number;
  /** Extra node options, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeOptions?: readonly string[];
  /** The JavaScript to run, relative to the repo; default the compiled CLI (dist/src/cli/main.js). */
  script?: string;
}

export class BenchChildError extends Error {
  override readonly name = 'BenchChildError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export async function runCli(opts: CliRunOptions): Promise<CliRun> {
  const probeUrl = pathToFileURL(join(opts.repoRoot, childScript(opts.repoRoot, 'probe'))).href;
  const script = opts.script ?? join('dist', 'src', 'cli', 'main.js');
  const argv = [...(opts.nodeOptions ?? []), '--import', probeUrl, join(opts.repoRoot, script), ...opts.args];
  await rm(opts.probeFile, { force: true });
  const startedAt = performance.now();
  const startedAtEpoch = Date.now();
  const child = spawn(process.execPath, argv, {
    cwd: opts.repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...opts.env, HPS_BENCH_PROBE: opts.probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => reject(new BenchChildError(`cannot start ${process.execPath}: ${e.message}`, { cause: e })));
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  }).finally(() => clearTimeout(timer));
  const wallMs = performance.now() - startedAt;
  let probe: ProbeResult | undefined;
  try {
    probe = JSON.parse(await readFile(opts.probeFile, 'utf8')) as ProbeResult;
  } catch {
    probe = undefined;
  }
  return {
    args: [...opts.args],
    exitCode: code,
    signal,
    wallMs,
    startedAt,
    startedAtEpoch,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    ...(probe ? { probe } : {}),
    timedOut,
  };
}
