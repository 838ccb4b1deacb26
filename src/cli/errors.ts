/**
 * One place that turns any error into a message for a person and an exit code for a scheduler.
 */
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

/** Error class names (from the readers and writers) that mean "could not connect or authenticate". */
const CONNECT_ERRORS = new Set([
  'DirectoryConnectError',
  'DirectoryAuthError',
  'DirectoryTlsError',
  'CloudAuthError',
  'CloudConnectError',
  'PowerShellNotFoundError',
  'ExchangeConnectError',
]);
const LOCK_ERRORS = new Set(['LockHeldError']);
/** Errors that mean the input (config, identifier, filter, LDIF file) is wrong: fix it, retrying will not help. */
const INPUT_ERRORS = new Set([
  'UserNotFoundError',
  'DirectoryConfigError',
  'FilterSyntaxError',
  'LdifSyntaxError',
  'CloudConfigError',
  'ExchangeConfigError',
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

/** The message and its causes, one per line, without stack traces (those go to the debug log). */
export function describeError(err: unknown): string {
  const lines: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const msg = cur instanceof Error ? cur.message : String(cur);
    if (!lines.some((l) => l.includes(msg))) lines.push(depth === 0 ? msg : `  caused by: ${msg}`);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return lines.join('\n');
}
