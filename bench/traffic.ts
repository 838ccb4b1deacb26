/**
 * What a run asked of Graph, counted from the emulator's request log. Pure.
 *
 * The log has one entry per top-level HTTP request (token, $batch envelope, single request) and one per $batch
 * item (`batched: true`), so "Graph operations" = single requests + batch items, and "HTTP requests" = top level.
 */
import type { RequestLogEntry } from '../mocks/graph-emulator/index.js';

export interface Traffic {
  /** Top-level HTTPS requests, token requests included. */
  httpRequests: number;
  tokenRequests: number;
  batchEnvelopes: number;
  batchItems: number;
  /** Graph operations: single Graph requests plus batch items (envelopes and token requests not counted). */
  graphOperations: number;
  userPages: number;
  photoMetaReads: number;
  /** GET …/photo/$value (or a sized photo's $value) answered 200: photo bytes sent to the tool. */
  photoDownloads: number;
  /** PUT/PATCH/DELETE of a photo answered 2xx. */
  photoWrites: number;
  /** PUT/PATCH/DELETE of a photo whatever the answer. */
  photoWriteAttempts: number;
  policyReads: number;
  status429: number;
  status5xx: number;
  /** Sockets destroyed unanswered (resetRate). */
  resets: number;
  /** Other 4xx answers (404 for "no photo" is normal and counted here). */
  status4xx: number;
  /**
   * Time Graph operations held one of the app's in-flight slots, summed, ms (the emulator's `heldMs`): latency plus
   * the service's own work. By kind: metadata reads (batched or not), photo downloads, photo writes.
   */
  slotMs: { meta: number; download: number; write: number; other: number };
  /** Date.now() of the first and last photo write request: the apply phase, as the cloud saw it. */
  firstWriteAt: number | null;
  lastWriteAt: number | null;
}

export function emptyTraffic(): Traffic {
  return {
    httpRequests: 0, tokenRequests: 0, batchEnvelopes: 0, batchItems: 0, graphOperations: 0, userPages: 0, photoMetaReads: 0,
    photoDownloads: 0, photoWrites: 0, photoWriteAttempts: 0, policyReads: 0, status429: 0, status5xx: 0, resets: 0, status4xx: 0,
    slotMs: { meta: 0, download: 0, write: 0, other: 0 },
    firstWriteAt: null, lastWriteAt: null,
  };
}

const PHOTO_VALUE = /\/users\/[^/]+\/photos?(\/[^/]+)?\/\$value$/i;
const PHOTO_META = /\/users\/[^/]+\/photo$/i;
const USERS_LIST = /^\/(v1\.0|beta)\/users$/i;
const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE']);

/** What a logged request was, for the counts and the slot time: a photo's metadata read, download or write, or other. */
function operationKind(e: RequestLogEntry): keyof Traffic['slotMs'] {
  if (WRITE_METHODS.has(e.method) && PHOTO_VALUE.test(e.path)) return 'write';
  if (e.method === 'GET' && PHOTO_VALUE.test(e.path)) return 'download';
  if (e.method === 'GET' && PHOTO_META.test(e.path)) return 'meta';
  return 'other';
}

/** Adds `entries` to `t` (in place) and returns it, so a log drained in pieces sums up. */
export function countTraffic(entries: readonly RequestLogEntry[], t: Traffic = emptyTraffic()): Traffic {
  for (const e of entries) {
    const path = e.path;
    const isToken = /\/oauth2\/v2\.0\/token$/i.test(path);
    const isEnvelope = !e.batched && /^\/(v1\.0|beta)\/\$batch$/i.test(path);
    if (!e.batched) t.httpRequests += 1;
    if (isToken) t.tokenRequests += 1;
    if (isEnvelope) t.batchEnvelopes += 1;
    if (e.batched) t.batchItems += 1;
    if (!isToken && !isEnvelope) t.graphOperations += 1;
    if (e.method === 'GET' && USERS_LIST.test(path)) t.userPages += 1;
    const kind = operationKind(e);
    if (kind === 'meta') t.photoMetaReads += 1;
    if (kind === 'download' && e.status === 200) t.photoDownloads += 1;
    if (kind === 'write') {
      t.photoWriteAttempts += 1;
      t.firstWriteAt = t.firstWriteAt === null ? e.at : Math.min(t.firstWriteAt, e.at);
      t.lastWriteAt = t.lastWriteAt === null ? e.at : Math.max(t.lastWriteAt, e.at);
      if (e.status >= 200 && e.status < 300) t.photoWrites += 1;
    }
    if (/photoUpdateSettings$/i.test(path)) t.policyReads += 1;
    if (e.heldMs !== undefined) t.slotMs[kind] += e.heldMs;
    if (e.status === 429) t.status429 += 1;
    else if (e.status >= 500) t.status5xx += 1;
    else if (e.status === 0) t.resets += 1;
    else if (e.status >= 400) t.status4xx += 1;
  }
  return t;
}

/** Total of a writeCounts() snapshot. */
export function sumWrites(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
