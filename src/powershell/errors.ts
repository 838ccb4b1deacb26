/**
 * Typed errors of the PowerShell bridge. Every error thrown by src/powershell extends PowerShellError and carries
 * the underlying `cause` plus plain advice for the admin where there is some.
 */

import { HpsError, type ErrorKind } from '../errors.js';

export class PowerShellError extends HpsError {}

/** No usable PowerShell executable: none found, or the one found did not answer a trivial command. */
export class PowerShellNotFoundError extends PowerShellError {
  override readonly kind: ErrorKind = 'connect';
  /** Every executable that was tried, with why it was rejected. */
  readonly tried: readonly { executable: string; reason: string }[];
  constructor(message: string, options: { cause?: unknown; advice?: string; tried?: readonly { executable: string; reason: string }[] } = {}) {
    super(message, options);
    this.tried = options.tried ?? [];
  }
}

/** One script call ran past its time limit; the shell was disposed and the next call starts a new one. */
export class PowerShellTimeoutError extends PowerShellError {
  readonly timeoutMs: number;
  readonly script: string;
  constructor(script: string, timeoutMs: number, options: { cause?: unknown } = {}) {
    super(`PowerShell script ${script} did not finish within ${timeoutMs} ms; the shell was stopped`, {
      ...options,
      advice: 'The Exchange server did not answer in time. Check it is reachable and not overloaded, or raise the timeout.',
    });
    this.timeoutMs = timeoutMs;
    this.script = script;
  }
}

/** The shell died, wrote errors instead of a result, or printed something that is not the expected JSON. */
export class PowerShellScriptError extends PowerShellError {
  readonly script: string;
  /** What the shell wrote to standard error, trimmed. */
  readonly stderr: string;
  constructor(script: string, message: string, options: { cause?: unknown; advice?: string; stderr?: string } = {}) {
    super(message, options);
    this.script = script;
    this.stderr = options.stderr ?? '';
  }
}

/** A value that must never reach a PowerShell command line (NUL, line breaks) was offered for quoting. */
export class PowerShellQuotingError extends PowerShellError {}

/** The writer was configured wrongly (missing connection URI, app id…). */
export class ExchangeConfigError extends PowerShellError {
  override readonly kind: ErrorKind = 'config';
}
