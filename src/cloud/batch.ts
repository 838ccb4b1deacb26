/**
 * JSON batching ($batch, at most 20 requests each). Graph throttles the items of a batch one by one, so an
 * item answering 429/503/504 is sent again in a later batch, after the longest Retry-After among the items
 * being retried, until the retry policy's bound of tries. Binary item bodies arrive base64-encoded.
 * Batches go one at a time and shrink after 429s (see runBatch); only GET-style idempotent items belong here,
 * since a $batch POST lost to a connection reset is sent again whole.
 */
import { GraphRequestError } from './errors.js';
import type { GraphHttp, GraphVersion } from './http.js';
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

interface Pending {
  item: BatchRequestItem;
  tries: number;
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
): Promise<Map<string, BatchItemResult>> {
  const maxSize = Math.min(MAX_BATCH_SIZE, Math.max(1, opts.batchSize ?? MAX_BATCH_SIZE));
  const { limiter } = http;
  // Batch size adapts like the limiter: every item of a batch takes one of the app's in-flight slots on the
  // server (Graph runs up to 4 items of a batch at once), so after 429s batches shrink to the limiter's
  // allowance, and grow back by one per batch answered without a 429.
  let size = limiter.concurrency < limiter.maxConcurrency ? Math.min(maxSize, limiter.concurrency) : maxSize;
  const results = new Map<string, BatchItemResult>();
  let pending: Pending[] = items.map((item) => ({ item, tries: 0 }));
  while (pending.length > 0) {
    // One batch at a time: a batch already uses the whole per-app allowance of the profile/Outlook
    // service; parallel batches would only buy 429s.
    const answers: Awaited<ReturnType<typeof sendOne>> = [];
    for (let i = 0; i < pending.length; ) {
      const group = pending.slice(i, i + size);
      i += group.length;
      const answered = await sendOne(http, group, opts.version);
      let throttled = false;
      for (const a of answered) {
        if (a.result.error) continue;
        limiter.feedback(a.result.status);
        if (a.result.status === 429) throttled = true;
      }
      size = throttled ? Math.max(1, Math.min(size, limiter.concurrency)) : Math.min(maxSize, size + 1);
      answers.push(...answered);
    }
    const again: Pending[] = [];
    let waitMs = 0;
    for (const { entry, result } of answers) {
      entry.tries += 1;
      result.tries = entry.tries;
      const decision = result.error
        ? ({ retry: false } as const)
        : retry.decideStatus(result.status, result.headers['retry-after'], entry.tries, { method: entry.item.method, url: entry.item.url });
      if (decision.retry) {
        again.push(entry);
        waitMs = Math.max(waitMs, decision.delayMs);
      } else {
        results.set(entry.item.key, result);
      }
    }
    if (again.length > 0) await retry.sleep(waitMs);
    pending = again;
  }
  return results;
}

/** One $batch POST for up to 20 items; maps the answers back to the entries. */
async function sendOne(http: GraphHttp, group: Pending[], version: GraphVersion | undefined): Promise<{ entry: Pending; result: BatchItemResult }[]> {
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
    res = await http.send({ method: 'POST', path: '/$batch', ...(version ? { version } : {}), body: { requests } });
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
