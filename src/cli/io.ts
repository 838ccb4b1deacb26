/**
 * The command's window on the world: data goes to `out` (stdout), diagnostics to `err` (stderr).
 * Passed in, so tests run commands in-process and read both.
 */
import pino, { type Logger } from 'pino';
import { interruptExitCode, type OnInterrupt } from '../usecases/run-frame.js';
import { terminalSafe } from '../report/safe-text.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (progress bars only there). */
  isTty: boolean;
  cwd: string;
  /** Cleanup on SIGINT/SIGTERM before the process exits (real processes only; see processIo). */
  onInterrupt?: OnInterrupt;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Renders pino's JSON lines as `level: message key=value` for people; `json` keeps them as they are. */
export function humanLines(write: (t: string) => void): { write: (line: string) => void } {
  return {
    write(line: string) {
      try {
        const { level, time: _time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extras = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        write(terminalSafe(`${LEVEL_NAMES[level as number] ?? 'log'}: ${String(msg ?? '')}${extras ? ` ${extras}` : ''}`) + '\n');
      } catch {
        write(terminalSafe(line));
      }
    },
  };
}

export function createLogger(write: (t: string) => void, opts: { level: string; format: 'human' | 'json' }): Logger {
  const dest = opts.format === 'json' ? { write } : humanLines(write);
  return pino({ level: opts.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * HPS_LOG_LEVEL as pino's level name. Unset or empty is `info`; `warning` means `warn`; anything else unknown is
 * `info` with a notice (a typo in a scheduled task's environment must not stop the sync).
 */
export function logLevelFrom(value: string | undefined, notice: (t: string) => void): string {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'info';
  if (v === 'warning') return 'warn';
  if (LOG_LEVELS.includes(v)) return v;
  notice(`hps: HPS_LOG_LEVEL=${JSON.stringify(value)} is not a log level (${LOG_LEVELS.join(', ')}); using info\n`);
  return 'info';
}

/**
 * SIGINT/SIGTERM for a real process: say so on stderr, run the registered cleanups (a run records itself as aborted
 * and frees its lock), exit 130/143. The handlers are installed with the first registration, so commands that take
 * no lock (report, compare) keep Node's default behaviour.
 */
export function processInterrupts(err: (t: string) => void, exit: (code: number) => void = (code) => process.exit(code)): OnInterrupt {
  const cleanups = new Set<(signal: string) => void>();
  let installed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    err(`hps: interrupted by ${signal}; the run is recorded as aborted and its lock released\n`);
    for (const cleanup of cleanups) {
      try {
        cleanup(signal);
      } catch {
        // exiting anyway
      }
    }
    exit(interruptExitCode(signal));
  };
  return (cleanup) => {
    if (!installed) {
      installed = true;
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
    }
    cleanups.add(cleanup);
    return () => void cleanups.delete(cleanup);
  };
}

/** What a state-changing run takes from the command's io: its logger, and interrupt handling where there is any. */
export function runHooks(io: CliIo): { log: Logger; onInterrupt?: OnInterrupt } {
  return { log: io.log, ...(io.onInterrupt ? { onInterrupt: io.onInterrupt } : {}) };
}

export function processIo(env = process.env): CliIo {
  const err = (t: string): void => {
    process.stderr.write(t);
  };
  const format = env.HPS_LOG_FORMAT === 'json' ? 'json' : 'human';
  return {
    out: (t) => {
      process.stdout.write(t);
    },
    err,
    log: createLogger(err, { level: logLevelFrom(env.HPS_LOG_LEVEL, err), format }),
    env,
    isTty: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    onInterrupt: processInterrupts(err),
  };
}
