/**
 * The Graph route of PhotoWriter: PUT /users/{id}/photo/$value (image/jpeg, ≤ 4 MB), then GET /photo for the
 * new etag; DELETE /users/{id}/photo/$value (404 = already gone = fine). With the connection's shared batch queue
 * the upload and its etag read-back are two $batch items of one batch, the read-back depending on the upload (the
 * photo base64-encoded, as JSON batching carries binary bodies): a plain request per upload left the service's slots
 * idle for its own round trip each time, about a quarter of every upload at 20 ms. Without the queue, and for
 * deletes, single requests. All of it goes through the shared limiter and retry policy of the GraphHttp. One user's
 * failure is a WriteResult, never an exception; only sign-in failure throws.
 */
import type { PhotoDeleteItem, PhotoSetItem, PhotoWriter, WriteResult } from '../sync/apply/writer.js';
import { adviceForGraphStatus, CloudAuthError, CloudConfigError, describe, GraphRequestError, parseGraphError, type GraphOperation } from './errors.js';
import { MAX_BATCH_SIZE, type Batcher } from './batch.js';
import { userSegment, type GraphHttp } from './http.js';

/**
 * Writes in progress per unit of the budget's allowance, with a batcher. A write is two requests of one `$batch`
 * (the PUT and its etag read-back), and the service runs 4 requests of a batch at a time: a full batch takes five
 * round trips, during which each write holds the budget for two of them. About a third of its time, so three writes
 * per unit keep the budget busy; at least two batches' worth, so one batch fills while the previous one is out.
 */
export const WRITES_PER_UNIT = 3;

/** Graph's upload limit for profile photos. */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;

export interface GraphWriterDeps {
  http: GraphHttp;
  /** The queue the etag read-backs join (shared with the reader: full batches); without it, plain GETs. */
  batcher?: Batcher;
  /** Called once by close(), e.g. to close the transport. */
  onClose?: () => Promise<void>;
}

export function createGraphWriter(deps: GraphWriterDeps): PhotoWriter {
  const { http } = deps;
  let closed = false;

  async function setOne(item: PhotoSetItem): Promise<WriteResult> {
    if (item.jpeg.length === 0) {
      return { key: item.key, ok: false, errorId: 'EmptyPhoto', message: 'No bytes to upload', advice: 'The normalised photo is empty; check the source photo.', retryable: false };
    }
    if (item.jpeg.length > MAX_PHOTO_BYTES) {
      return {
        key: item.key,
        ok: false,
        errorId: 'RequestEntityTooLarge',
        status: 413,
        message: `Photo is ${item.jpeg.length} bytes, over the 4 MB Graph limit`,
        advice: adviceForGraphStatus(413, 'write-photo').advice,
        retryable: false,
      };
    }
    const path = `/users/${userSegment(item.identity)}/photo`;
    const res = await upload(item, path);
    if ('ok' in res) return res;
    if (res.status !== 200 && res.status !== 201 && res.status !== 204) return failure(item.key, res.status, res.body, 'write-photo');
    const result: WriteResult = { key: item.key, ok: true, status: res.status };
    const etag = res.etag ?? (await readEtag(path));
    if (etag) result.etag = etag;
    return result;
  }

  /**
   * The PUT: with a queue, a batch item followed in the same batch by the etag read-back (so the write and its etag
   * are known together, and a run killed meanwhile loses at most one batch's answers); else a single request. Its
   * status and (error) body, and the etag when the read-back came with it; or a failure.
   */
  async function upload(item: PhotoSetItem, path: string): Promise<{ status: number; body: unknown; etag?: string } | WriteResult> {
    const headers = { 'content-type': 'image/jpeg' };
    if (!deps.batcher) {
      const res = await guarded(item.key, () => http.send({ method: 'PUT', path: `${path}/$value`, headers, body: item.jpeg }));
      return 'ok' in res ? res : { status: res.status, body: res.status >= 300 ? res.json() : undefined };
    }
    const batcher = deps.batcher;
    const put = { key: item.key, method: 'PUT' as const, url: `${path}/$value`, headers, body: item.jpeg.toString('base64'), followedBy: { method: 'GET' as const, url: path } };
    const r = await guarded(item.key, () => batcher.submit(put));
    if ('ok' in r) return r;
    if (r.error) return requestFailure(item.key, r.error);
    const etag = r.followed?.status === 200 ? mediaEtag(r.followed.body) : undefined;
    return { status: r.status, body: r.body, ...(etag ? { etag } : {}) };
  }

  /** The etag after a write; a failure here does not undo the write, so it only loses the etag. */
  async function readEtag(path: string): Promise<string | undefined> {
    try {
      return mediaEtag(deps.batcher ? await batchedGet(deps.batcher, path) : await plainGet(path));
    } catch (err) {
      if (err instanceof CloudAuthError) throw err;
      return undefined;
    }
  }

  async function plainGet(path: string): Promise<unknown> {
    const meta = await http.send({ method: 'GET', path });
    return meta.status === 200 ? meta.json() : undefined;
  }

  async function deleteOne(item: PhotoDeleteItem): Promise<WriteResult> {
    const res = await guarded(item.key, () => http.send({ method: 'DELETE', path: `/users/${userSegment(item.identity)}/photo/$value` }));
    if ('ok' in res) return res;
    if (res.status === 200 || res.status === 204 || res.status === 404) return { key: item.key, ok: true, status: res.status };
    return failure(item.key, res.status, res.json(), 'delete-photo');
  }

  // Writes in progress at once, following the budget's allowance as it adapts (the budget bounds what is really in
  // flight; the writes beyond it wait for units, which is what lets the allowance grow).
  const callsAtOnce = (): number => {
    const units = http.limiter.concurrency;
    return deps.batcher ? Math.max(WRITES_PER_UNIT * units, 2 * MAX_BATCH_SIZE) : 2 * units;
  };

  return {
    route: 'graph',
    // Every item is its own requests: one item a call, so an item waiting out a Retry-After does not hold up the
    // others; the number of calls is asked again as calls finish.
    schedule: { batchSize: 1, callsAtOnce },
    setPhotos: (items, onResult) => eachAsItFinishes(items, setOne, callsAtOnce(), onResult),
    deletePhotos: (items, onResult) => eachAsItFinishes(items, deleteOne, 2 * http.limiter.concurrency, onResult),
    async close() {
      if (closed) return;
      closed = true;
      await deps.onClose?.();
    },
  };
}

/**
 * Runs `work` over `items` with at most `workers` items in progress, each from its first request to its result, and
 * hands every result to `onResult` the moment it is known. Starting every item at once would queue each item's
 * second request (the etag read) behind all the others' first ones, so no answer would be known until the whole
 * batch was: a run killed mid-batch would lose the record of every write in it.
 */
async function eachAsItFinishes<I, R>(items: readonly I[], work: (item: I) => Promise<R>, workers: number, onResult?: (r: R) => void): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const r = await work(items[i] as I);
      results[i] = r;
      onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
  return results;
}

/** The `@odata.mediaEtag` of a photo's metadata, if there. */
function mediaEtag(body: unknown): string | undefined {
  const tag = (body as Record<string, unknown> | undefined)?.['@odata.mediaEtag'];
  return typeof tag === 'string' ? tag : undefined;
}

/** A GET through the batch queue: the JSON body of a 200, else undefined (the item's own error, if any, is thrown). */
async function batchedGet(batcher: Batcher, path: string): Promise<unknown> {
  const r = await batcher.submit({ key: path, method: 'GET', url: path });
  if (r.error) throw r.error;
  return r.status === 200 ? r.body : undefined;
}

/** Runs one request; request failures become a WriteResult, sign-in and configuration failures propagate. */
async function guarded<T extends object>(key: string, send: () => Promise<T>): Promise<T | WriteResult> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof CloudAuthError || err instanceof CloudConfigError) throw err;
    if (err instanceof GraphRequestError) return requestFailure(key, err);
    return { key, ok: false, errorId: 'Unexpected', message: describe(err), retryable: false };
  }
}

/** A request that got no usable answer (after its retries) as the user's WriteResult. */
function requestFailure(key: string, err: GraphRequestError): WriteResult {
  return {
    key,
    ok: false,
    errorId: err.errorId,
    ...(err.status === undefined ? {} : { status: err.status }),
    message: err.message,
    ...(err.advice ? { advice: err.advice } : {}),
    retryable: err.retryable,
  };
}

/** An error answer (status and Graph's error body) as the user's WriteResult, with advice. */
function failure(key: string, status: number, errorBody: unknown, op: GraphOperation): WriteResult {
  const body = parseGraphError(errorBody);
  const a = adviceForGraphStatus(status, op, body);
  return {
    key,
    ok: false,
    status,
    errorId: a.errorId,
    message: `HTTP ${status}${body.code ? ` ${body.code}` : ''}${body.message ? `: ${body.message}` : ''}`,
    advice: a.advice,
    retryable: a.retryable,
  };
}
