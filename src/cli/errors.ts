/**
 * One place that turns any error into a message for a person and an exit code for a scheduler.
 */
import { ZodError } from 'zod';
import { adviceOf } from '../advice.js';
import { ConfigError } from '../config/load.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** Errors that know their exit code (thresholds, policy, locks, connections) extend this. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Error class names (from the readers and writers) that mean "could not connect, authenticate or get permission":
 * a run-stopping Graph failure (listing users denied, Graph unreachable after retries) is one of these too.
 */
const CONNECT_ERRORS = new Set(['DirectoryConnectError', 'DirectoryAuthError', 'CloudAuthError', 'GraphRequestError', 'PowerShellNotFoundError']);
const LOCK_ERRORS = new Set(['LockHeldError']);
/** Errors that mean the input (config, identifier, filter, LDIF file) is wrong: fix it, retrying will not help. */
const INPUT_ERRORS = new Set([
  'UserNotFoundError',
  'DirectoryConfigError',
  'DirectorySearchError',
  'FilterSyntaxError',
  'LdifSyntaxError',
  'CloudConfigError',
  'ExchangeConfigError',
  'StateOpenError',
  'StateSchemaTooNewError',
]);

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ConfigError) return EXIT.badConfig;
  const name = err instanceof Error ? err.name : '';
  if (CONNECT_ERRORS.has(name)) return EXIT.connectFailed;
  if (LOCK_ERRORS.has(name)) return EXIT.locked;
  if (INPUT_ERRORS.has(name)) return EXIT.badConfig;
  if (name === 'CommanderError') return EXIT.badConfig;
  return EXIT.internal;
}

/**
 * The message and its causes, one per line, then what to do (the first `advice` an error in the chain carries).
 * No stack traces: those go to the debug log.
 */
export function describeError(err: unknown): string {
  const lines: string[] = [];
  let advice: string | undefined;
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const msg = cur instanceof Error ? cur.message : String(cur);
    if (!lines.some((l) => l.includes(msg))) lines.push(depth === 0 ? msg : `  caused by: ${msg}`);
    advice ??= adviceOf(cur);
    // A validation error's issues are already listed, field by field, in the message that wraps it.
    cur = cur instanceof Error && !(cur.cause instanceof ZodError) ? cur.cause : undefined;
  }
  if (advice && !lines.some((l) => l.includes(advice as string))) lines.push(`  what to do: ${advice}`);
  return lines.join('\n');
}
