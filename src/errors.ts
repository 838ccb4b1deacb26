/**
 * The one error base. Every error the tool throws on purpose extends `HpsError` and says
 * - its `kind`: what the failure means for the run and the scheduler (the CLI turns a kind into an exit code in one
 *   place, src/cli/exit-policy.ts; nothing else matches errors by class name),
 * - `advice`: what the admin should do, when the code knows (whoever prints the error adds it),
 * - `cause`: the underlying error, as the standard `Error` option.
 */

export const ERROR_KINDS = ['config', 'auth', 'connect', 'locked', 'refused', 'internal'] as const;
/**
 * - `config`: the configuration or the input (identifier, filter, LDIF file, state file) is wrong; retrying will not help.
 * - `auth`: signing in was refused (bad secret, unknown tenant); every later call would fail the same way.
 * - `connect`: a server could not be reached or refused the work (network, permission, missing PowerShell).
 * - `locked`: another run holds the state lock.
 * - `refused`: a safety rule refused the work; nothing was written.
 * - `internal`: anything else, a bug until shown otherwise.
 */
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface HpsErrorOptions {
  cause?: unknown;
  advice?: string;
}

export class HpsError extends Error {
  /** Subclasses override this with their family's kind. */
  readonly kind: ErrorKind = 'internal';
  /** Plain advice for the admin. */
  readonly advice: string | undefined;
  constructor(message: string, options: HpsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.advice = options.advice;
  }
}

/** The error's kind: an `HpsError`'s own, `internal` for anything else. */
export function kindOf(err: unknown): ErrorKind {
  return err instanceof HpsError ? err.kind : 'internal';
}

/**
 * Errors that stop the run instead of failing one route's users: the configuration or the sign-in is wrong, so every
 * later user would fail the same way and the exit code must say so.
 */
export function stopsTheRun(err: unknown): boolean {
  const kind = kindOf(err);
  return kind === 'config' || kind === 'auth';
}

/** The error's `advice`, when it has a non-empty one (any object with a string `advice` counts). */
export function adviceOf(err: unknown): string | undefined {
  const advice = err instanceof Error ? (err as Error & { advice?: unknown }).advice : undefined;
  return typeof advice === 'string' && advice.trim() !== '' ? advice : undefined;
}
