/**
 * The shared concurrency limiter of one app's Graph traffic (reader and writer get the SAME object).
 * p-limit underneath, with AIMD feedback: a 429 halves the allowance (never below 1), a run of successes
 * as long as the current allowance adds one back (never above the configured maximum). Graph's
 * profile/Outlook service allows 4 requests in flight per app; a tenant or proxy may allow fewer, and
 * the limiter then settles where the service stops answering 429.
 */
import pLimit from 'p-limit';

/** Graph's profile/Outlook service allows 4 concurrent requests per app. */
export const DEFAULT_MAX_IN_FLIGHT = 4;

export interface Limiter {
  /** Runs `task` when a slot is free. */
  <T>(task: () => Promise<T>): Promise<T>;
  /** Current allowance (1…maxConcurrency). */
  readonly concurrency: number;
  readonly maxConcurrency: number;
  /** Tell the limiter how a request (or a $batch item) was answered. */
  feedback(status: number): void;
}

export function createLimiter(maxInFlight = DEFAULT_MAX_IN_FLIGHT): Limiter {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  const limit = pLimit(maxInFlight);
  let successes = 0;
  const run = <T>(task: () => Promise<T>) => limit(task);
  return Object.defineProperties(run, {
    concurrency: { get: () => limit.concurrency, enumerable: true },
    maxConcurrency: { value: maxInFlight, enumerable: true },
    feedback: {
      enumerable: true,
      value(status: number) {
        if (status === 429) {
          successes = 0;
          limit.concurrency = Math.max(1, Math.floor(limit.concurrency / 2));
        } else if (status >= 200 && status < 500 && limit.concurrency < maxInFlight) {
          successes += 1;
          if (successes >= limit.concurrency) {
            successes = 0;
            limit.concurrency += 1;
          }
        }
      },
    },
  }) as Limiter;
}
