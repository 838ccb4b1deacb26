/**
 * JSON batching ($batch, at most 20 requests each) through one queue per connection. Callers submit single items
 * and get each answer on its own; the queue packs whatever is waiting into batches as the shared in-flight budget
 * frees units. A batch holds as many units as it has items running on the server (Graph runs at most 4 items of a
 * batch at a time), so batches, downloads and writes share one budget counted the way the service counts.
 * Graph throttles the items of a batch one by one: an item answering 429/503/504 waits its own Retry-After and
 * joins a later batch, while the other items, and the rest of the queue, go on. Binary item bodies arrive
 * base64-encoded. Only idempotent items belong here: a $batch POST lost to a connection reset is sent again whole.
 */
import { GraphRequestError } from './errors.js';
import type { GraphHttp, GraphVersion } from './http.js';
import { BATCH_ITEMS_IN_FLIGHT, type Lease } from './limiter.js';
import type { RetryPolicy } from './retry.js';

export const MAX_BATCH_SIZE = 20;

export interface BatchRequestItem {
  /** The caller's key for this item (e.g. the user id); unique within one runBatch call. */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the version, starting with `/`, e.g. `/users/abc/photo/$value`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchItemResult {
  key: string;
  /** The item's status; 0 when no answer came for it (the $batch call itself failed). */
  status: number;
  /** Item headers, names lower-cased. */
  headers: Record<string, string>;
  /** JSON bodies parsed; binary bodies as the base64 string Graph sent (decode with batchBodyBytes). */
  body: unknown;
  /** How many batches carried this item. */
  tries: number;
  /** Set when the $batch call failed as a whole (network, or a non-200 after its own retries). */
  error?: GraphRequestError;
}

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
        void send(queue.splice(0, size), lease);
      }
    } finally {
      pumping = false;
    }
    if (fatal !== undefined) for (const p of queue.splice(0)) p.reject(fatal);
  }

  async function send(group: Pending[], lease: Lease): Promise<void> {
    let answered: Array<{ entry: Pending; result: BatchItemResult }>;
    try {
      answered = await sendOne(http, group, opts.version, lease);
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

/** One $batch POST for up to 20 items; maps the answers back to the entries. */
async function sendOne(http: GraphHttp, group: Pending[], version: GraphVersion | undefined, lease: Lease): Promise<{ entry: Pending; result: BatchItemResult }[]> {
  const requests = group.map((entry, i) => ({
    id: String(i + 1),
    method: entry.item.method,
    url: entry.item.url,
    ...(entry.item.headers ? { headers: entry.item.headers } : {}),
    ...(entry.item.body === undefined ? {} : { body: entry.item.body }),
  }));
  const failAll = (error: GraphRequestError, status: number) =>
    group.map((entry) => ({ entry, result: { key: entry.item.key, status, headers: {}, body: undefined, tries: 0, error } }));
  let res;
  try {
    res = await http.send({ method: 'POST', path: '/$batch', ...(version ? { version } : {}), body: { requests }, lease });
  } catch (err) {
    // No HTTP answer at all after http's own retries (Graph unreachable, TLS refused), or sign-in failing: every
    // later batch would fail the same way, so this stops the caller instead of failing 20 users at a time.
    if (!(err instanceof GraphRequestError) || err.status === undefined) throw err;
    return failAll(err, 0);
  }
  const parsed = res.json<{ responses?: unknown }>();
  if (res.status !== 200 || !parsed || !Array.isArray(parsed.responses)) {
    const error = new GraphRequestError(`$batch answered HTTP ${res.status}`, {
      status: res.status,
      errorId: 'BatchFailed',
      retryable: res.status >= 500 || res.status === 429,
    });
    return failAll(error, res.status);
  }
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of parsed.responses as unknown[]) {
    if (typeof r === 'object' && r !== null && 'id' in r) byId.set(String((r as { id: unknown }).id), r as Record<string, unknown>);
  }
  return group.map((entry, i) => {
    const r = byId.get(String(i + 1));
    if (!r) {
      const error = new GraphRequestError(`$batch answer has no response for ${entry.item.url}`, { errorId: 'BatchItemMissing', retryable: true });
      return { entry, result: { key: entry.item.key, status: 0, headers: {}, body: undefined, tries: 0, error } };
    }
    return {
      entry,
      result: { key: entry.item.key, status: Number(r.status) || 0, headers: lowerCaseHeaders(r.headers), body: r.body, tries: 0 },
    };
  });
}

/** The item's body as bytes: base64 strings decoded (binary answers), JSON re-serialised, nothing → empty. */
export function batchBodyBytes(result: Pick<BatchItemResult, 'body'>): Buffer {
  const { body } = result;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'base64');
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function lowerCaseHeaders(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof h === 'object' && h !== null) {
    for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  }
  return out;
}
