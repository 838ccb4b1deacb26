/**
 * The one retry policy of the cloud side, in the style of @octokit/plugin-throttling:
 * Retry-After is honoured (seconds, fractional allowed, or an HTTP date); without it, 503/504 and network
 * resets back off exponentially with jitter; a 401 refreshes the token once; every request gets at most
 * `maxTries` tries. Timing (`sleep`, `random`, `now`) is injected so tests run instantly.
 */
import { isTransientNetworkError } from './errors.js';

/** What a callback learns about the request being retried. */
export interface RetryInfo {
  method: string;
  url: string;
  status?: number;
  /** Tries made so far (1 after the first failure). */
  attempt: number;
  /** How long the policy will wait before the next try, when it does. */
  delayMs: number;
}

export interface RetryOptions {
  /** Tries per request, first one included. Default 5. */
  maxTries?: number;
  /** First backoff step when there is no Retry-After. Default 1000 ms; doubles each try. */
  baseDelayMs?: number;
  /** Cap of a backoff step. Default 30 s. */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for; the request gives up (retryable) instead. Default 300 s. */
  maxRetryAfterSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1). */
  random?: () => number;
  /** Epoch ms, for Retry-After HTTP dates. */
  now?: () => number;
  /** Throttled (429, or 503/504 with Retry-After). Return true to retry. Default: retry. */
  onRateLimit?: (retryAfterSeconds: number, attempt: number, info: RetryInfo) => boolean;
  /** A 5xx without Retry-After or a network reset. Return true to retry. Default: retry. */
  onError?: (error: unknown, attempt: number, info: RetryInfo) => boolean;
  /** Told every wait before a retry (run's own, and those callers report through `waited`), e.g. for run statistics. */
  onWait?: (ms: number) => void;
}

export type RetryDecision = { retry: true; delayMs: number; reason: 'rate-limit' | 'server' | 'network' } | { retry: false };

/** One try: `refreshToken` is true on the single try that follows a 401. */
export interface TryContext {
  attempt: number;
  refreshToken: boolean;
}

/** Anything with a status and, maybe, a Retry-After header value. */
export interface StatusLike {
  status: number;
  retryAfter?: string | null;
}

export interface RetryPolicy {
  readonly maxTries: number;
  /** Runs `send` until it gives a final answer (any status not worth retrying, or tries used up). Never recursive. */
  run<R extends StatusLike>(request: { method: string; url: string }, send: (ctx: TryContext) => Promise<R>): Promise<R>;
  /** For callers that retry pieces themselves ($batch items): retry `status` after `attempt` tries, and when? */
  decideStatus(status: number, retryAfter: string | null | undefined, attempt: number, request: { method: string; url: string }): RetryDecision;
  /** Waits `ms` (injected timing) and reports the wait to onWait. */
  sleep(ms: number): Promise<void>;
}

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxTries = Math.max(1, Math.floor(options.maxTries ?? 5));
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 300) * 1000;
  const rawSleep = options.sleep ?? defaultSleep;
  const sleep = (ms: number): Promise<void> => {
    options.onWait?.(ms);
    return rawSleep(ms);
  };
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const onRateLimit = options.onRateLimit ?? (() => true);
  const onError = options.onError ?? (() => true);

  const decideStatus: RetryPolicy['decideStatus'] = (status, retryAfter, attempt, request) => {
    if (!RETRYABLE_STATUSES.has(status) || attempt >= maxTries) return { retry: false };
    const afterMs = parseRetryAfter(retryAfter, now());
    if (afterMs !== undefined && afterMs > maxRetryAfterMs) return { retry: false };
    if (status === 429 || afterMs !== undefined) {
      const delayMs = afterMs ?? backoffDelay(attempt, baseDelayMs, maxDelayMs, random);
      const info: RetryInfo = { ...request, status, attempt, delayMs };
      return onRateLimit(delayMs / 1000, attempt, info) === true ? { retry: true, delayMs, reason: 'rate-limit' } : { retry: false };
    }
    const delayMs = backoffDelay(attempt, baseDelayMs, maxDelayMs, random);
    const info: RetryInfo = { ...request, status, attempt, delayMs };
    return onError(new Error(`HTTP ${status}`), attempt, info) === true ? { retry: true, delayMs, reason: 'server' } : { retry: false };
  };

  const decideError = (error: unknown, attempt: number, request: { method: string; url: string }): RetryDecision => {
    if (!isTransientNetworkError(error) || attempt >= maxTries) return { retry: false };
    const delayMs = backoffDelay(attempt, baseDelayMs, maxDelayMs, random);
    return onError(error, attempt, { ...request, attempt, delayMs }) === true ? { retry: true, delayMs, reason: 'network' } : { retry: false };
  };

  async function run<R extends StatusLike>(request: { method: string; url: string }, send: (ctx: TryContext) => Promise<R>): Promise<R> {
    let refreshToken = false;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let result: R;
      try {
        result = await send({ attempt, refreshToken });
      } catch (err) {
        const decision = decideError(err, attempt, request);
        if (!decision.retry) throw err;
        refreshToken = false;
        await sleep(decision.delayMs);
        continue;
      }
      refreshToken = false;
      if (result.status === 401 && !refreshed && attempt < maxTries) {
        refreshed = true;
        refreshToken = true;
        continue;
      }
      const decision = decideStatus(result.status, result.retryAfter, attempt, request);
      if (!decision.retry) return result;
      await sleep(decision.delayMs);
    }
  }

  return { maxTries, run, decideStatus, sleep };
}

/**
 * Retry-After as milliseconds: delta-seconds (Graph sends fractions such as `2.128` → 2128 ms) or an HTTP date.
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Exponential backoff with "equal jitter": step = min(max, base·2^(attempt-1)); the delay is uniform in
 * [step/2, step). Half the step is guaranteed, so retries never stampede back at once.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(step / 2 + (step / 2) * r);
}
