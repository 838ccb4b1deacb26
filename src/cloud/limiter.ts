/**
 * The one in-flight budget of an app's Graph traffic: reader, batcher and writer share the SAME object, and it
 * counts what the service counts. A plain request is 1 unit; a `$batch` envelope takes as many units as it will
 * have items running on the server at once (Graph dispatches at most 4 items of a batch at a time).
 *
 * The allowance adapts (AIMD, as TCP does, with a remembered threshold):
 * - it starts at 4, the documented limit, and grows by one per success while the allowance is what holds work back
 *   (someone waits for units), up to the threshold (at first the ceiling, `cloud.maxInFlight`): a service that
 *   counts per mailbox is discovered in a few round trips;
 * - a 429 halves the allowance (once per round: 429s of requests sent before the cut are the same event) and sets
 *   the threshold to what others held when that request was sent, so the allowance regrows at once to the level
 *   that worked and stays there;
 * - at the threshold it probes one unit above only after a long run of successes, and every 429 doubles that run;
 *   a probe level is kept only after eight windows of successes at it. A service that allows exactly 4 costs a
 *   handful of 429s per run, not one every few requests.
 * A request asks for up to n units and gets what is free (at least 1); waiters are served first come, first served.
 * Levels above the highest one the service has answered (`proven`) are tried with small requests only (see batch.ts),
 * so a probe that fails costs a few 429s, not a batch of 20.
 */

/** Graph's documented "4 concurrent requests" per app (per mailbox in one reading). */
export const DOCUMENTED_IN_FLIGHT = 4;
/** Default ceiling of the budget (`cloud.maxInFlight`); see docs/configuration.md for why 16. */
export const DEFAULT_MAX_IN_FLIGHT = 16;
/** Windows of successes at a probe level before it becomes the threshold. */
const PROBE_HOLD_WINDOWS = 8;
/** Items of one $batch the service runs at once, hence the units a batch holds. */
export const BATCH_ITEMS_IN_FLIGHT = 4;

/** What a request took from the budget; handed back with its answer so the feedback knows when it was sent. */
export interface Lease {
  readonly units: number;
  /** Units in flight (this lease included) when it was granted. */
  readonly level: number;
  /** The allowance's cut count when granted: 429s of requests sent before a cut do not cut again. */
  readonly round: number;
  release(): void;
}

export type LeaseInfo = Pick<Lease, 'units' | 'level' | 'round'>;

export interface BudgetStats {
  /** Units of work answered: plain requests plus batch items (envelopes are not counted; their items are). */
  requests: number;
  /** Answers 429. */
  throttled: number;
  /** Time waited before retries on Retry-After or backoff, summed over requests (they wait side by side). */
  waitedMs: number;
  /** Highest allowance reached. */
  peakAllowance: number;
}

export interface Limiter {
  /** Runs `task` holding 1 unit. */
  <T>(task: () => Promise<T>): Promise<T>;
  /**
   * Waits its turn (first come, first served; see AcquireOptions for the one exception) until a unit is free, then
   * takes up to `units` of the free ones (at least 1). A function is asked when the turn comes, so a batch can size itself by what is queued by then.
   */
  acquire(units?: number | (() => number), opts?: AcquireOptions): Promise<Lease>;
  /** The highest in-flight level the service has answered without 429 (batches above it go out probe-sized). */
  readonly proven: number;
  /** Current allowance (1…maxConcurrency). */
  readonly concurrency: number;
  /** The ceiling (`cloud.maxInFlight`). */
  readonly maxConcurrency: number;
  /** Units held right now. */
  readonly inFlight: number;
  /** Tell the budget how a request (or a $batch item) was answered, with the lease it was sent under. */
  feedback(status: number, lease?: LeaseInfo): void;
  /** Records time spent waiting before a retry. */
  waited(ms: number): void;
  stats(): BudgetStats;
}

export interface AcquireOptions {
  /**
   * Units to wait for before taking any (capped at the allowance; units above the level the service has answered are
   * probed, not waited for), asked when the turn comes: a batcher with a deep queue waits for a full batch's units
   * rather than sending many small batches, each an HTTP request of its own.
   * Waiters behind it that need several units wait too; single-unit requests behind it may use the units it leaves
   * free meanwhile.
   */
  atLeast?: () => number;
}

export interface LimiterOptions {
  /** First allowance; default min(4, ceiling). */
  initial?: number;
  /** Successes at the threshold before the first probe above it; default 8 × allowance. Doubles per failed probe. */
  probeAfter?: number;
}

export function createLimiter(maxInFlight = DEFAULT_MAX_IN_FLIGHT, options: LimiterOptions = {}): Limiter {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  let allowance = Math.min(maxInFlight, Math.max(1, options.initial ?? DOCUMENTED_IN_FLIGHT));
  let threshold = maxInFlight;
  let round = 0;
  let probeAfter = options.probeAfter ?? 0;
  let streak = 0;
  let probing = false;
  let inFlight = 0;
  /** A waiter needing several units was kept waiting by the allowance since the last growth check. */
  let heldBack = false;
  const stats: BudgetStats = { requests: 0, throttled: 0, waitedMs: 0, peakAllowance: allowance };
  let proven = allowance; // the documented level is taken as answered until a 429 says otherwise
  const waiters: Array<{ take: (free: number) => void; atLeast?: () => number }> = [];

  /** Whether a waiter can be served now: a plain one whenever a unit is free; one needing several, see AcquireOptions. */
  const ready = (w: (typeof waiters)[number]): boolean => {
    if (!w.atLeast) return true;
    const want = Math.min(allowance, Math.max(1, w.atLeast()));
    // Units above the level the service has answered are not waited for: they are probed with a small request
    // (batch.ts sizes it by its units), so a refused probe costs one or two 429s, not a batch of them.
    const probe = allowance > proven && inFlight + want > proven;
    if (allowance - inFlight >= want || probe) return true;
    heldBack = true; // the allowance, not the service, keeps this waiter waiting: grow on the next success
    return false;
  };

  // First come, first served, except that a single-unit request may use a unit a batch waiting for four leaves free
  // (an upload need not idle behind the etag read-backs of the uploads before it); single-unit requests are few
  // (uploads, pages) and bounded by their callers, so the batch is not starved.
  const pump = (): void => {
    while (waiters.length > 0 && inFlight < allowance) {
      const i = ready(waiters[0] as (typeof waiters)[number]) ? 0 : waiters.findIndex((w) => !w.atLeast);
      if (i < 0) return;
      const [w] = waiters.splice(i, 1);
      (w as (typeof waiters)[number]).take(allowance - inFlight);
    }
  };

  const grow = (): void => {
    allowance += 1;
    stats.peakAllowance = Math.max(stats.peakAllowance, allowance);
    pump();
  };

  function acquire(want: number | (() => number) = 1, opts: AcquireOptions = {}): Promise<Lease> {
    return new Promise<Lease>((resolve) => {
      const take = (free: number): void => {
        const units = Math.min(free, Math.max(1, Math.floor(typeof want === 'function' ? want() : want)));
        inFlight += units;
        let released = false;
        resolve({
          units,
          level: inFlight,
          round,
          release() {
            if (released) return;
            released = true;
            inFlight -= units;
            pump();
          },
        });
      };
      waiters.push(opts.atLeast ? { take, atLeast: opts.atLeast } : { take });
      pump();
    });
  }

  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    const lease = await acquire(1);
    try {
      return await task();
    } finally {
      lease.release();
    }
  };

  let held = 0;
  const counted = new WeakSet<LeaseInfo>();
  const feedback = (status: number, lease?: LeaseInfo): void => {
    if (status === 429) {
      stats.requests += 1;
      stats.throttled += 1;
      if (lease && lease.round < round) return; // sent before the last cut: the same overload, already answered
      round += 1;
      // The service refused at least one unit of this request: it allows no more than the others held then.
      threshold = Math.max(1, Math.min(allowance - 1, lease ? lease.level - lease.units : allowance - 1));
      proven = Math.min(proven, threshold);
      // Every throttling event makes the next probe wait twice as long: a run pays a handful of 429s, not one
      // per probe interval (a lucky success just above the limit, seen only by the client, cannot reset this).
      probeAfter = Math.min(Math.max(probeAfter, 8 * threshold) * 2, 1 << 16);
      probing = false;
      streak = 0;
      allowance = Math.max(1, Math.floor(allowance / 2));
      return;
    }
    if (status < 200 || status >= 500) return; // no answer, or server trouble: says nothing about concurrency
    stats.requests += 1;
    if (lease) proven = Math.max(proven, lease.level);
    if (allowance >= maxInFlight) return;
    // Below the threshold: grow while the allowance is what holds work back (someone waits, or all of it was in use).
    // One step per answered request (`counted`: the requests already seen): a batch's items answer together, and
    // twenty steps at once would overshoot.
    if (allowance < threshold) {
      if (lease !== undefined && counted.has(lease)) return;
      const wanted = waiters.length > 0 || heldBack || (lease !== undefined && lease.level >= allowance);
      heldBack = false;
      if (wanted) {
        grow();
        if (lease !== undefined) counted.add(lease);
      }
      return;
    }
    if (probing) {
      // The probe level holds once it has been used and answered for eight windows: the client counts a unit as busy
      // until it has read the answer, the service frees it earlier, so a busy client sees lucky successes just above
      // the limit; eight windows of them in a row do not happen by luck.
      // One window per answered request: a batch's twenty items are one observation, not twenty.
      if (lease === undefined || (lease.level >= allowance && !counted.has(lease))) held += 1;
      if (lease !== undefined) counted.add(lease);
      if (held >= PROBE_HOLD_WINDOWS * allowance) {
        threshold = allowance;
        probing = false;
        streak = 0;
      }
      return;
    }
    // At the threshold: probe one above it only after a long run of successes (answered requests: a batch is one).
    if (lease !== undefined && counted.has(lease)) return;
    if (lease !== undefined) counted.add(lease);
    streak += 1;
    if (probeAfter === 0) probeAfter = 8 * allowance;
    if (streak >= probeAfter && waiters.length > 0) {
      probing = true;
      held = 0;
      streak = 0;
      grow();
    }
  };

  return Object.defineProperties(run, {
    acquire: { value: acquire, enumerable: true },
    concurrency: { get: () => allowance, enumerable: true },
    maxConcurrency: { value: maxInFlight, enumerable: true },
    inFlight: { get: () => inFlight, enumerable: true },
    proven: { get: () => proven, enumerable: true },
    feedback: { value: feedback, enumerable: true },
    waited: { value: (ms: number) => void (stats.waitedMs += Math.max(0, ms)), enumerable: true },
    stats: { value: () => ({ ...stats }), enumerable: true },
  }) as Limiter;
}
