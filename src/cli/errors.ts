/**
 * Command-line errors, and the one place that turns any error into a message for a person. What an error means
 * for the exit code is decided by src/cli/exit-policy.ts from its kind.
 */
import { ZodError } from 'zod';
import { adviceOf, HpsError, type ErrorKind, type HpsErrorOptions } from '../errors.js';

/** A command-line problem: bad options, an unreadable input file, an output file that cannot be written. */
export class CliError extends HpsError {
  override readonly kind: ErrorKind;
  constructor(message: string, options: HpsErrorOptions & { kind?: ErrorKind } = {}) {
    super(message, options);
    this.kind = options.kind ?? 'config';
  }
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
