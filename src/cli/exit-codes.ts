/**
 * Exit codes a scheduler can act on (docs/scheduling.md). `compare` uses 0 same / 1 different / 2 error.
 */
export const EXIT = {
  ok: 0,
  /** The run finished but some users failed (they are retried next run). `compare`: the photos differ. */
  partialFailure: 1,
  /** Bad configuration or command-line usage: fix the config; retrying will not help. `compare`: error. */
  badConfig: 2,
  /** Refused by a safety threshold or the tenant photo policy: nothing was written. */
  refused: 3,
  /** Could not connect or authenticate (directory, Graph, Exchange). */
  connectFailed: 4,
  /** Another run holds the lock on this state file. */
  locked: 5,
  /** A bug: please report it with the log. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
