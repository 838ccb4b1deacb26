/**
 * Finding and probing the PowerShell executable. node-powershell spawns whatever it is given and, when the spawn
 * fails, rejects a promise nobody listens to, which ends the Node process. So the bridge probes every candidate
 * itself first (argv, no shell) with a trivial command and hands node-powershell only one that answered.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { PowerShellNotFoundError } from './errors.js';

export interface ExecutableCandidatesInput {
  /** From configuration: used alone when given. */
  configured?: string | undefined;
  platform: NodeJS.Platform;
  /** PATH (and PATHEXT on Windows) come from here. */
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

/**
 * The candidates in the order they are tried: the configured path alone; else pwsh on PATH, then
 * ~/.dotnet/tools/pwsh (where `dotnet tool install --global PowerShell` puts it); on Windows pwsh.exe on PATH,
 * then powershell.exe (Windows PowerShell 5.1). Pure: PATH entries are listed, not checked.
 */
export function executableCandidates(input: ExecutableCandidatesInput): string[] {
  if (input.configured !== undefined && input.configured.trim() !== '') return [input.configured];
  const win = input.platform === 'win32';
  const pathVar = (win ? (input.env.Path ?? input.env.PATH) : input.env.PATH) ?? '';
  const sep = win ? ';' : ':';
  const join = win ? path.win32.join : path.posix.join;
  const dirs = pathVar.split(sep).filter((d) => d.length > 0);
  const names = win ? ['pwsh.exe'] : ['pwsh'];
  const out: string[] = [];
  for (const name of names) for (const dir of dirs) out.push(join(dir, name));
  out.push(join(input.home, '.dotnet', 'tools', win ? 'pwsh.exe' : 'pwsh'));
  if (win) {
    for (const dir of dirs) out.push(join(dir, 'powershell.exe'));
    const systemRoot = input.env.SystemRoot ?? input.env.SYSTEMROOT ?? 'C:\\Windows';
    out.push(path.win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'));
  }
  return [...new Set(out)];
}

export interface ProbeResult {
  executable: string;
  /** $PSVersionTable.PSVersion as the shell printed it. */
  version: string;
  /** PSEdition: `Core` (pwsh 7, also the project's engine host) or `Desktop` (Windows PowerShell 5.1). */
  edition: string;
}

const PROBE_MARK = 'hps-probe:';
const PROBE_COMMAND = `[Console]::Out.WriteLine('${PROBE_MARK}' + $PSVersionTable.PSVersion.ToString() + ':' + $PSVersionTable.PSEdition)`;

/** Spawns `executable -NoLogo -NoProfile -NonInteractive -Command <trivial>` and reads its answer. Never throws. */
export function probeExecutable(executable: string, timeoutMs = 20_000): Promise<ProbeResult | { error: string }> {
  return new Promise((resolve) => {
    let settled = false;
    let stdout = '';
    let stderr = '';
    const finish = (value: ProbeResult | { error: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(executable, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', PROBE_COMMAND], {
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
    } catch (err) {
      resolve({ error: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      if (stdout.length < 64_000) stdout += d;
    });
    child.stderr?.on('data', (d: string) => {
      if (stderr.length < 64_000) stderr += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code === 'ENOENT' ? 'not found' : err.message }));
    child.on('close', (code) => {
      const line = stdout.split(/\r?\n/).find((l) => l.startsWith(PROBE_MARK));
      if (line !== undefined) {
        const [version = '', edition = ''] = line.slice(PROBE_MARK.length).trim().split(':');
        finish({ executable, version, edition });
        return;
      }
      const detail = stderr.trim().split(/\r?\n/)[0] ?? '';
      finish({ error: `exited with code ${String(code)} without answering${detail ? `: ${detail}` : ''}` });
    });
  });
}

async function looksRunnable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    await access(file, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FindExecutableOptions {
  configured?: string | undefined;
  platform?: NodeJS.Platform;
  env?: Readonly<Record<string, string | undefined>>;
  home?: string;
  probeTimeoutMs?: number;
}

/** Finds the first candidate that exists and answers the probe; throws PowerShellNotFoundError otherwise. */
export async function findPowerShell(options: FindExecutableOptions = {}): Promise<ProbeResult> {
  const platform = options.platform ?? process.platform;
  const candidates = executableCandidates({
    configured: options.configured,
    platform,
    env: options.env ?? process.env,
    home: options.home ?? homedir(),
  });
  const tried: { executable: string; reason: string }[] = [];
  for (const candidate of candidates) {
    const isPath = candidate.includes('/') || candidate.includes('\\');
    if (isPath && !(await looksRunnable(candidate, platform))) {
      if (options.configured !== undefined) tried.push({ executable: candidate, reason: 'does not exist or is not executable' });
      continue;
    }
    const probe = await probeExecutable(candidate, options.probeTimeoutMs);
    if ('error' in probe) {
      tried.push({ executable: candidate, reason: probe.error });
      continue;
    }
    return probe;
  }
  const where = options.configured !== undefined ? `the configured executable ${options.configured}` : 'pwsh on PATH, ~/.dotnet/tools/pwsh' + (platform === 'win32' ? ', pwsh.exe or powershell.exe' : '');
  const detail = tried.length > 0 ? ` (${tried.map((t) => `${t.executable}: ${t.reason}`).join('; ')})` : '';
  throw new PowerShellNotFoundError(`No usable PowerShell found: tried ${where}${detail}`, {
    tried,
    advice:
      'Install PowerShell 7 (pwsh) and make sure it is on PATH, or set the PowerShell executable path in the configuration. ' +
      'On this project\'s CI machines run .ci/install-pwsh.sh.',
  });
}
