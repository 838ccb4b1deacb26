/**
 * Throttling and fault injection: in-flight slots per app, or per app per mailbox (429 beyond the limit), added
 * latency, random 503/504 and socket resets from a seeded PRNG so runs are repeatable.
 */
import type { ConcurrencyScope, FaultConfig } from './types.js';

export const CONCURRENCY_SCOPES: readonly ConcurrencyScope[] = ['app', 'mailbox'];

export const DEFAULT_FAULTS: Required<FaultConfig> = {
  maxInFlightPerApp: 4,
  concurrencyScope: 'app',
  retryAfterSeconds: 2.128,
  latencyMs: 0,
  errorRate: 0,
  resetRate: 0,
  seed: 1,
  tokenLifetimeSeconds: 3599,
};

/** mulberry32: small, fast, deterministic. Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Validate and fill a fault configuration; throws RangeError on nonsense. */
export function normaliseFaults(f: FaultConfig): Required<FaultConfig> {
  const out = { ...DEFAULT_FAULTS };
  for (const [k, v] of Object.entries(f) as Array<[keyof FaultConfig, unknown]>) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_FAULTS)) throw new RangeError(`unknown fault setting ${k}`);
    if (k === 'concurrencyScope') {
      if (!CONCURRENCY_SCOPES.includes(v as ConcurrencyScope)) throw new RangeError(`concurrencyScope must be one of ${CONCURRENCY_SCOPES.join(', ')}`);
      out.concurrencyScope = v as ConcurrencyScope;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${k} must be a number >= 0`);
    if ((k === 'errorRate' || k === 'resetRate') && v > 1) throw new RangeError(`${k} must be between 0 and 1`);
    if (k === 'maxInFlightPerApp' && (!Number.isInteger(v) || v < 1)) throw new RangeError('maxInFlightPerApp must be an integer >= 1');
    out[k as Exclude<keyof FaultConfig, 'concurrencyScope'>] = v;
  }
  return out;
}

/** Retry-After as sent: seconds, fractional allowed (at most 3 decimals). */
export function retryAfterHeader(seconds: number): string {
  return String(Number(seconds.toFixed(3)));
}

export type FaultOutcome = 'ok' | 'reset' | 'unavailable' | 'timeout';

export class FaultController {
  private config: Required<FaultConfig>;
  private random: () => number;
  private readonly inFlight = new Map<string, number>();

  constructor(initial: FaultConfig = {}) {
    this.config = normaliseFaults(initial);
    this.random = mulberry32(this.config.seed);
  }

  set(f: FaultConfig): void {
    this.config = normaliseFaults(f);
    this.random = mulberry32(this.config.seed);
  }

  get(): Required<FaultConfig> {
    return { ...this.config };
  }

  /**
   * Take an in-flight slot for an app — under the `mailbox` scope, for an app and the mailbox (user) the request is
   * about; requests about no mailbox (user listing, tenant settings) share one slot pool per app. Returns the
   * release function, or null when over the limit (→ 429).
   */
  tryAcquire(appId: string, mailbox?: string): (() => void) | null {
    const key = this.config.concurrencyScope === 'mailbox' ? `${appId}\u0000${mailbox ?? ''}` : appId;
    const n = this.inFlight.get(key) ?? 0;
    if (n >= this.config.maxInFlightPerApp) return null;
    this.inFlight.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }

  /** Whether a top-level request's socket is destroyed. Draws from the PRNG only when resetRate > 0. */
  drawReset(): boolean {
    return this.config.resetRate > 0 && this.random() < this.config.resetRate;
  }

  /** 503/504 decision for one request. Draws only when errorRate > 0. */
  drawError(): FaultOutcome {
    if (this.config.errorRate <= 0) return 'ok';
    if (this.random() >= this.config.errorRate) return 'ok';
    return this.random() < 0.5 ? 'unavailable' : 'timeout';
  }

  latency(): Promise<void> {
    const ms = this.config.latencyMs;
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  }
}
