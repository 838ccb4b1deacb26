/**
 * The exit-code policy (docs/scheduling.md), in one place: every command's outcome, success or error, becomes its
 * exit code here and nowhere else.
 */
import { CommanderError } from 'commander';
import { kindOf, type ErrorKind } from '../errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** The counts of a reconcile or fix run that decide its exit code. */
export interface RunCounts {
  /** A safety threshold refused the plan: nothing was written. */
  refused: boolean;
  /** Users the tenant photo policy kept from a write they needed. */
  blocked: number;
  /** Planned sets and deletes. */
  writes: number;
  /** Writes that failed. */
  failed: number;
  /** Users that could not be read, compared or prepared. */
  errors: number;
  /** `fix`: whether the read-back matched (absent when nothing was checked). */
  verified?: boolean;
}

/** The counts of a run's result (and a fix's read-back) that the policy looks at. */
export function runCounts(
  r: { refused?: string; errors: number; plan: { summary: { blocked: number; set: number; delete: number } }; applied?: { failed: number } },
  verification?: { verified: boolean },
): RunCounts {
  const s = r.plan.summary;
  return {
    refused: r.refused !== undefined,
    blocked: s.blocked,
    writes: s.set + s.delete,
    failed: r.applied?.failed ?? 0,
    errors: r.errors,
    ...(verification ? { verified: verification.verified } : {}),
  };
}

/** The counts of an AD import (`hps ad import`, or the AD step of the `ad`/`both` write modes). */
export function adRunCounts(r: { refused?: string; summary: { set: number; delete: number; errors: number }; written?: { failed: number } }): RunCounts {
  return { refused: r.refused !== undefined, blocked: 0, writes: r.summary.set + r.summary.delete, failed: r.written?.failed ?? 0, errors: r.summary.errors };
}

/** Two steps of one run (write mode `both`): refused if either was; the rest added up. */
export function addRunCounts(a: RunCounts, b: RunCounts): RunCounts {
  return {
    refused: a.refused || b.refused, blocked: a.blocked + b.blocked, writes: a.writes + b.writes, failed: a.failed + b.failed, errors: a.errors + b.errors,
    ...(a.verified !== undefined ? { verified: a.verified } : {}),
  };
}

export type Outcome =
  | { kind: 'error'; error: unknown }
  | { kind: 'run'; run: RunCounts }
  | { kind: 'compare'; same: boolean }
  /** doctor: 0 all passed, 1 warnings only, else the first failed check's kind (config 2; connect, auth 4). */
  | { kind: 'doctor'; checks: ReadonlyArray<{ result: string; failKind?: ErrorKind }> }
  /** report, demo: the command did what it was asked, whatever it found. */
  | { kind: 'done' };

const BY_KIND: Record<ErrorKind, ExitCode> = {
  config: EXIT.badConfig,
  auth: EXIT.connectFailed,
  connect: EXIT.connectFailed,
  locked: EXIT.locked,
  refused: EXIT.refused,
  internal: EXIT.internal,
};

function forRun(r: RunCounts): ExitCode {
  if (r.refused) return EXIT.refused;
  // The tenant policy refused every cloud write this run needed: say so above per-user failures, which it may explain.
  if (r.blocked > 0 && r.writes === 0) return EXIT.refused;
  if (r.failed > 0 || r.errors > 0) return EXIT.partialFailure;
  if (r.verified === false) return EXIT.partialFailure;
  return EXIT.ok;
}

export function exitCodeOf(outcome: Outcome): ExitCode {
  switch (outcome.kind) {
    case 'error':
      // commander's own exits: --help and --version are fine, usage errors (unknown option, missing argument) are not.
      if (outcome.error instanceof CommanderError) return outcome.error.exitCode === 0 ? EXIT.ok : EXIT.badConfig;
      return BY_KIND[kindOf(outcome.error)];
    case 'run':
      return forRun(outcome.run);
    case 'compare':
      return outcome.same ? EXIT.ok : EXIT.partialFailure;
    case 'doctor': {
      const failed = outcome.checks.find((c) => c.result === 'fail');
      if (failed) return BY_KIND[failed.failKind ?? 'connect'];
      return outcome.checks.some((c) => c.result === 'warn') ? EXIT.partialFailure : EXIT.ok;
    }
    case 'done':
      return EXIT.ok;
  }
}
