/**
 * POST /{version}/$batch (JSON batching): at most 20 items; each item runs through the same pipeline as a
 * top-level request (auth, roles, its own in-flight slot, latency, faults, log with batched: true).
 * Like Graph, at most 4 items of one batch are dispatched at a time; dependsOn orders items and a failed
 * dependency answers 424. Binary bodies travel base64-encoded both ways.
 */
import { graphError } from './errors.js';
import { decodeSegments, jsonResponse, lowerHeaders, mediaType, type GraphRequest, type GraphResponse } from './http.js';
import { runGraphRequest, type PipelineDeps } from './pipeline.js';

export const MAX_BATCH_REQUESTS = 20;
/** Items of one batch dispatched concurrently (Graph forwards up to four at a time). */
export const BATCH_PARALLELISM = 4;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

class BatchFormatError extends Error {}

function parseItems(raw: Buffer): BatchItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BatchFormatError('Invalid batch payload format: the body is not JSON.');
  }
  const requests = (doc as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) throw new BatchFormatError("Invalid batch payload format: 'requests' must be an array.");
  if (requests.length === 0) throw new BatchFormatError('Invalid batch payload format: the batch has no requests.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw new BatchFormatError(`The number of requests in the batch (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  }
  const items: BatchItem[] = [];
  const ids = new Set<string>();
  for (const r of requests as Array<Record<string, unknown>>) {
    const id = r?.['id'];
    const method = r?.['method'];
    const url = r?.['url'];
    if (typeof id !== 'string' || id === '' || typeof method !== 'string' || typeof url !== 'string') {
      throw new BatchFormatError('Invalid batch payload format: every request needs string id, method and url.');
    }
    if (ids.has(id.toLowerCase())) throw new BatchFormatError(`Invalid batch payload format: duplicate request id '${id}'.`);
    ids.add(id.toLowerCase());
    const headersRaw = r['headers'];
    const headers = typeof headersRaw === 'object' && headersRaw !== null ? lowerHeaders(headersRaw as Record<string, string>) : {};
    const dependsOnRaw = r['dependsOn'];
    const dependsOn = Array.isArray(dependsOnRaw) ? dependsOnRaw.map(String) : [];
    items.push({ id, method, url, headers, body: r['body'], dependsOn });
  }
  for (const it of items) {
    for (const d of it.dependsOn) {
      if (!ids.has(d.toLowerCase())) throw new BatchFormatError(`Invalid batch payload format: '${it.id}' depends on unknown request '${d}'.`);
    }
  }
  assertAcyclic(items);
  return items;
}

function assertAcyclic(items: BatchItem[]): void {
  const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new BatchFormatError('Invalid batch payload format: dependsOn forms a cycle.');
    state.set(id, 'visiting');
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d.toLowerCase());
    state.set(id, 'done');
  };
  for (const id of byId.keys()) visit(id);
}

/** Turn an item into a GraphRequest, or an item-level 400. */
function toRequest(envelope: GraphRequest, item: BatchItem): GraphRequest | GraphResponse {
  let url = item.url.trim();
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    url = u.pathname + u.search;
  }
  if (!url.startsWith('/')) url = `/${url}`;
  url = url.replace(/^\/(v1\.0|beta)(?=\/)/i, '');
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  const segments = decodeSegments(rawPath);
  if (segments[0] === '$batch') return graphError(400, 'BadRequest', 'A batch cannot contain another $batch request.');
  let body = Buffer.alloc(0);
  if (item.body !== undefined && item.body !== null) {
    const type = mediaType(item.headers['content-type']);
    if (!type) return graphError(400, 'BadRequest', 'A Content-Type header is required in headers when a body is present.');
    if (type === 'application/json' || type.endsWith('+json')) {
      body = Buffer.from(typeof item.body === 'string' ? item.body : JSON.stringify(item.body));
    } else if (typeof item.body === 'string') {
      body = Buffer.from(item.body, 'base64');
    } else {
      return graphError(400, 'BadRequest', `A body of type ${type} must be a base64 string.`);
    }
  }
  const headers = { ...item.headers };
  if (envelope.headers['authorization']) headers['authorization'] = envelope.headers['authorization'];
  else delete headers['authorization'];
  return {
    method: item.method.toUpperCase(),
    version: envelope.version,
    segments,
    logPath: `/${envelope.version}/${rawPath.replace(/^\/+/, '')}`,
    query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
    headers,
    body,
    batched: true,
  };
}

function itemJson(id: string, res: GraphResponse): Record<string, unknown> {
  const out: Record<string, unknown> = { id, status: res.status, headers: res.headers };
  if (res.binary) out['body'] = res.binary.toString('base64');
  else if (res.json !== undefined) out['body'] = res.json;
  return out;
}

function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (job) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await job();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}

export async function runBatch(envelope: GraphRequest, deps: PipelineDeps): Promise<GraphResponse> {
  let items: BatchItem[];
  try {
    items = parseItems(envelope.body);
  } catch (err) {
    if (err instanceof BatchFormatError) return graphError(400, 'BadRequest', err.message);
    throw err;
  }
  const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  const limit = limiter(BATCH_PARALLELISM);
  const running = new Map<string, Promise<GraphResponse>>();
  const run = (item: BatchItem): Promise<GraphResponse> => {
    const key = item.id.toLowerCase();
    let p = running.get(key);
    if (!p) {
      p = (async () => {
        const deps2 = await Promise.all(item.dependsOn.map((d) => run(byId.get(d.toLowerCase()) as BatchItem)));
        if (deps2.some((r) => r.status < 200 || r.status >= 300)) {
          return graphError(424, 'FailedDependency', 'A request this request depends on failed.');
        }
        const req = toRequest(envelope, item);
        if (!('segments' in req)) return req;
        return limit(() => runGraphRequest(req, deps));
      })();
      running.set(key, p);
    }
    return p;
  };
  const answers = await Promise.all(items.map(run));
  return jsonResponse(200, { responses: items.map((it, i) => itemJson(it.id, answers[i] as GraphResponse)) }, { 'Content-Type': 'application/json' });
}
