/**
 * One $batch envelope: the JSON batching format (up to 20 requests, `dependsOn`, binary bodies base64-encoded both
 * ways) and the mapping of its answers back to the requests. The queue that decides what goes in which envelope is
 * batch.ts.
 */
import { GraphRequestError } from './errors.js';
import type { GraphHttp, GraphVersion } from './http.js';
import type { Lease } from './limiter.js';

export const MAX_BATCH_SIZE = 20;
/**
 * Text bodies (base64 uploads) one $batch carries at most, in characters: Graph's request limit is 4 MB, so twenty
 * large photos go in several batches. A single larger item still goes alone (the service then judges it).
 */
export const MAX_BATCH_BODY_CHARS = 3 * 1024 * 1024;

export interface BatchRequestItem {
  /** The caller's key for this item (e.g. the user id); unique within one runBatch call. */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the version, starting with `/`, e.g. `/users/abc/photo/$value`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * A request to run right after this one, in the same $batch (`dependsOn`), e.g. reading back what a write made:
   * both answers come in one envelope. Graph answers it 424 when this one fails. Its answer is `followed`. (Not
   * named `then`: an object with a `then` reads as a promise-like to anyone who meets it.)
   */
  followedBy?: Omit<BatchRequestItem, 'key' | 'followedBy'>;
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
  /** The answer to the item's `followedBy` request, when it had one and the $batch was answered. */
  followed?: BatchItemResult;
}

/**
 * One $batch POST for up to 20 requests; the answers in the items' order. Never throws for item failures, nor for a
 * $batch that Graph answers with an error status (every item then carries it); throws when Graph cannot be reached
 * at all or sign-in fails.
 */
export async function sendEnvelope(http: GraphHttp, items: readonly BatchRequestItem[], version: GraphVersion | undefined, lease: Lease): Promise<BatchItemResult[]> {
  const request = (id: string, item: Omit<BatchRequestItem, 'key' | 'followedBy'>, dependsOn?: string) => ({
    id,
    method: item.method,
    url: item.url,
    ...(item.headers ? { headers: item.headers } : {}),
    ...(item.body === undefined ? {} : { body: item.body }),
    ...(dependsOn ? { dependsOn: [dependsOn] } : {}),
  });
  // Entry i is request `i+1`; the one that follows it, if any, is `i+1.then`, run after it.
  const requests = items.flatMap((item, i) =>
    item.followedBy ? [request(String(i + 1), item), request(`${i + 1}.then`, item.followedBy, String(i + 1))] : [request(String(i + 1), item)],
  );
  const failAll = (error: GraphRequestError, status: number): BatchItemResult[] =>
    items.map((item) => ({ key: item.key, status, headers: {}, body: undefined, tries: 0, error }));
  let res;
  try {
    // A 200 envelope means every item has run: its units are free before its body arrives (release is idempotent).
    // Any other status may be retried by http.send, which then needs the units still held.
    const onHeaders = (status: number): void => (status === 200 ? lease.release() : undefined);
    res = await http.send({ method: 'POST', path: '/$batch', ...(version ? { version } : {}), headers: JSON_TYPE, body: envelopeBody(requests), lease, onHeaders });
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
  return items.map((item, i) => {
    const r = byId.get(String(i + 1));
    if (!r) {
      const error = new GraphRequestError(`$batch answer has no response for ${item.url}`, { errorId: 'BatchItemMissing', retryable: true });
      return { key: item.key, status: 0, headers: {}, body: undefined, tries: 0, error };
    }
    const answer = (x: Record<string, unknown>): BatchItemResult => ({ key: item.key, status: Number(x.status) || 0, headers: lowerCaseHeaders(x.headers), body: x.body, tries: 0 });
    const next = item.followedBy ? byId.get(`${i + 1}.then`) : undefined;
    return { ...answer(r), ...(next ? { followed: answer(next) } : {}) };
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * `{"requests":[…]}` as bytes, one request at a time: an envelope of uploads is hundreds of kilobytes, and as one
 * string it would sit in V8's large-object space until the next full collection (≈ 15 MB more resident memory over
 * a 10,000-user first run); the pieces are short-lived young-generation strings.
 */
function envelopeBody(requests: readonly object[]): Buffer {
  const parts: Buffer[] = [Buffer.from('{"requests":[')];
  requests.forEach((r, i) => parts.push(Buffer.from(`${i > 0 ? ',' : ''}${JSON.stringify(r)}`)));
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}

export function bodyChars(item: Pick<BatchRequestItem, 'body'>): number {
  return typeof item.body === 'string' ? item.body.length : 0;
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
