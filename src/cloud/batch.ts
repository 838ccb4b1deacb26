/**
 * JSON batching ($batch, at most 20 requests each) through one queue per connection. Callers submit single items
 * and get each answer on its own; the queue packs whatever is waiting into batches as the shared in-flight budget
 * frees units. A batch holds as many units as it has items running on the server (Graph runs at most 4 items of a
 * batch at a time), so batches, downloads and writes share one budget counted the way the service counts.
 * Graph throttles the items of a batch one by one: an item answering 429/503/504 waits its own Retry-After and
 * joins a later batch, while the other items, and the rest of the queue, go on. Binary item bodies arrive
 * base64-encoded. Only idempotent items belong here: a $batch POST lost to a connection reset is sent again whole.
 */
import type { GraphHttp, GraphVersion } from './http.js';
import { BATCH_ITEMS_IN_FLIGHT, type Lease } from './limiter.js';
import { bodyChars, MAX_BATCH_BODY_CHARS, MAX_BATCH_SIZE, sendEnvelope, type BatchItemResult, type BatchRequestItem } from './batch-envelope.js';
import type { RetryPolicy } from './retry.js';

export { MAX_BATCH_BODY_CHARS, MAX_BATCH_SIZE, batchBodyBytes, type BatchItemResult, type BatchRequestItem } from './batch-envelope.js';

export interface BatchOptions {
  version?: GraphVersion;
  batchSize?: number;
}

export interface Batcher {
  /**
   * Queues one item; resolves with its final answer (after the item's own retries). Rejects only when Graph cannot
   * be reached at all or sign-in fails: then every queued and later item is rejected with the same error.
   */
  submit(item: BatchRequestItem): Promise<BatchItemResult>;
}

interface Pending {
  item: BatchRequestItem;
  tries: number;
  resolve(result: BatchItemResult): void;
  reject(err: unknown): void;
}

export function createBatcher(http: GraphHttp, retry: RetryPolicy, opts: BatchOptions = {}): Batcher {
  const maxSize = Math.min(MAX_BATCH_SIZE, Math.max(1, opts.batchSize ?? MAX_BATCH_SIZE));
  const queue: Pending[] = [];
  let scheduled = false;
  let pumping = false;
  let fatal: unknown;

  const schedule = (): void => {
    if (scheduled || pumping) return;
    scheduled = true;
    setImmediate(() => void pump()); // items submitted in the same turn go out together
  };

  async function pump(): Promise<void> {
    scheduled = false;
    pumping = true;
    try {
      while (queue.length > 0 && fatal === undefined) {
        // Sized when our turn comes: by then more items may be queued.
        // With a deep queue, wait for a full batch's units: a run of 2-item batches costs an HTTP request (and its
        // overhead at both ends) per 2 items, where one batch of 20 holds the same 4 units for as long.
        const lease = await http.limiter.acquire(() => Math.max(1, Math.min(queue.length, BATCH_ITEMS_IN_FLIGHT)), {
          atLeast: () => (queue.length >= 2 * BATCH_ITEMS_IN_FLIGHT ? BATCH_ITEMS_IN_FLIGHT : 1),
        });
        if (fatal !== undefined || queue.length === 0) {
          lease.release();
          if (fatal !== undefined) break;
          continue;
        }
        // Fewer than 4 units, or a level the service has not answered yet: as many items as units (they all run at
        // once, and a refused probe costs that many 429s). Otherwise a full batch.
        const size = lease.units < BATCH_ITEMS_IN_FLIGHT || lease.level > http.limiter.proven ? lease.units : maxSize;
        void send(queue.splice(0, fitting(size, size === maxSize)), lease);
      }
    } finally {
      pumping = false;
    }
    if (fatal !== undefined) for (const p of queue.splice(0)) p.reject(fatal);
  }

  /**
   * How many queued entries go in the next batch (at least one): up to `size` requests, an entry with a `followedBy` counting
   * two in a full batch (in a probe-sized one it still runs one request at a time), and within the body allowance.
   */
  function fitting(size: number, full: boolean): number {
    let requests = 0;
    let chars = 0;
    for (let n = 0; n < queue.length; n++) {
      const { item } = queue[n] as Pending;
      requests += full && item.followedBy ? 2 : 1;
      chars += bodyChars(item) + (item.followedBy ? bodyChars(item.followedBy) : 0);
      if (n > 0 && (requests > size || chars > MAX_BATCH_BODY_CHARS)) return n;
    }
    return queue.length;
  }

  async function send(group: Pending[], lease: Lease): Promise<void> {
    let answered: Array<{ entry: Pending; result: BatchItemResult }>;
    try {
      const results = await sendEnvelope(http, group.map((p) => p.item), opts.version, lease);
      answered = group.map((entry, i) => ({ entry, result: results[i] as BatchItemResult }));
    } catch (err) {
      fatal ??= err;
      for (const p of group) p.reject(err);
      for (const p of queue.splice(0)) p.reject(err);
      return;
    } finally {
      lease.release();
    }
    for (const { entry, result } of answered) {
      if (!result.error) http.limiter.feedback(result.status, lease);
      if (result.followed && !result.followed.error) http.limiter.feedback(result.followed.status, lease);
      entry.tries += 1;
      result.tries = entry.tries;
      const decision = result.error
        ? ({ retry: false } as const)
        : retry.decideStatus(result.status, result.headers['retry-after'], entry.tries, { method: entry.item.method, url: entry.item.url });
      if (!decision.retry) {
        entry.resolve(result);
        continue;
      }
      // This item alone waits; the queue goes on with everything else.
      void retry.sleep(decision.delayMs).then(() => {
        if (fatal !== undefined) return entry.reject(fatal);
        queue.push(entry);
        schedule();
      });
    }
  }

  return {
    submit(item) {
      if (fatal !== undefined) return Promise.reject(fatal);
      return new Promise<BatchItemResult>((resolve, reject) => {
        queue.push({ item, tries: 0, resolve, reject });
        schedule();
      });
    },
  };
}

/**
 * Sends `items` through $batch; returns one result per key. Never throws for item failures, nor for a $batch that
 * Graph answers with an error status; throws when Graph cannot be reached at all (GraphRequestError without a
 * status) or sign-in fails (CloudAuthError).
 */
export async function runBatch(
  http: GraphHttp,
  retry: RetryPolicy,
  items: readonly BatchRequestItem[],
  opts: BatchOptions = {},
  batcher: Batcher = createBatcher(http, retry, opts),
): Promise<Map<string, BatchItemResult>> {
  const answers = await Promise.all(items.map((item) => batcher.submit(item)));
  return new Map(answers.map((a) => [a.key, a]));
}
