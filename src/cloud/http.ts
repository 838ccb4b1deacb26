/**
 * A small Graph HTTP layer: bearer token, the shared concurrency limiter, the one retry policy.
 *
 * Why not @microsoft/microsoft-graph-client: its middleware chain brings its own RetryHandler (which would make a
 * second retry policy, and skips octet-stream bodies anyway), adds the Authorization header only for hosts it
 * recognises (customHosts needed for any proxy/override), and its batching helpers do not decode binary bodies
 * nor retry items one by one. What we need from it is ~100 lines of fetch, so we own them here, keep one retry
 * policy, and keep the transport (extra CA) explicit.
 *
 * Statuses are answers, not exceptions: `send` returns every HTTP response (after retries) and throws only for
 * failures without one (network, sign-in), as GraphRequestError / CloudAuthError.
 */
import {
  adviceForGraphStatus,
  adviceForNetworkError,
  CloudError,
  describe,
  GraphRequestError,
  isTransientNetworkError,
  parseGraphError,
  type GraphOperation,
} from './errors.js';
import type { TokenProvider } from './auth.js';
import type { Lease, Limiter } from './limiter.js';
import type { RetryPolicy } from './retry.js';
import type { FetchLike } from './tls.js';

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the version, starting with `/` (query allowed), e.g. `/users/abc/photo`. Ignored when `url` is set. */
  path?: string;
  /** Absolute URL (an `@odata.nextLink`); must be on the Graph origin, or the token would leak. */
  url?: string;
  version?: GraphVersion;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: Buffer | string | object;
  /**
   * Units already taken from the budget for this request (a $batch envelope holds as many as it has items running);
   * the caller releases them and feeds back its items' statuses. Without it the request takes and returns 1 unit.
   */
  lease?: Lease;
  /**
   * Called when the answer's status line and headers are in, before its body is read. A $batch envelope's answer
   * comes when all of its items have run, so the batch queue frees the service's slots here: the next batch goes out
   * while this one's body is still being read and parsed.
   */
  onHeaders?: (status: number) => void;
}

export interface GraphResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** Tries it took (1 = first time). */
  tries: number;
  retryAfter: string | null;
  /** Parses the body as JSON; undefined when empty or not JSON. */
  json<T = unknown>(): T | undefined;
}

export interface GraphHttp {
  readonly graphBaseUrl: string;
  /** The shared in-flight budget; $batch takes units for its items and feeds back their statuses. */
  readonly limiter: Limiter;
  send(req: GraphRequest): Promise<GraphResponse>;
  /** Absolute URL of a versioned path. */
  urlFor(path: string, version?: GraphVersion): string;
}

export interface GraphHttpDeps {
  graphBaseUrl: string;
  tokens: TokenProvider;
  fetch: FetchLike;
  limiter: Limiter;
  retry: RetryPolicy;
  /** Per-try timeout. Default 60 s. */
  timeoutMs?: number;
  userAgent?: string;
}

export function createGraphHttp(deps: GraphHttpDeps): GraphHttp {
  const base = deps.graphBaseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const timeoutMs = deps.timeoutMs ?? 60_000;
  const userAgent = deps.userAgent ?? 'hybrid-photo-sync';
  const urlFor = (path: string, version: GraphVersion = 'v1.0') => `${base}/${version}${path.startsWith('/') ? '' : '/'}${path}`;

  async function send(req: GraphRequest): Promise<GraphResponse> {
    const url = req.url ?? urlFor(req.path ?? '/', req.version);
    if (new URL(url).origin !== origin) {
      throw new GraphRequestError(`Refusing to send the Graph token to ${new URL(url).origin}`, {
        errorId: 'ForeignHost',
        retryable: false,
        advice: `Graph returned a link outside ${origin}; check graphBaseUrl.`,
      });
    }
    const { body, contentType } = encodeBody(req);
    let tries = 0;
    try {
      return await deps.retry.run({ method: req.method, url }, async ({ attempt, refreshToken }) => {
        tries = attempt;
        const token = await deps.tokens.getToken(refreshToken);
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'user-agent': userAgent, ...req.headers };
        if (contentType && !hasHeader(headers, 'content-type')) headers['content-type'] = contentType;
        const lease = req.lease ?? (await deps.limiter.acquire(1));
        try {
          const res = await deps.fetch(url, {
            method: req.method,
            headers,
            ...(body === undefined ? {} : { body }),
            signal: AbortSignal.timeout(timeoutMs),
          });
          req.onHeaders?.(res.status);
          const bytes = Buffer.from(await res.arrayBuffer());
          if (!req.lease) deps.limiter.feedback(res.status, lease);
          return toResponse(res.status, res.headers, bytes, attempt);
        } finally {
          if (!req.lease) lease.release();
        }
      });
    } catch (err) {
      if (err instanceof CloudError) throw err;
      const advice = adviceForNetworkError(err);
      throw new GraphRequestError(`${req.method} ${url} failed after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${describe(err)}`, {
        cause: err,
        errorId: advice.errorId,
        advice: advice.advice,
        retryable: advice.retryable || isTransientNetworkError(err),
      });
    }
  }

  return { graphBaseUrl: base, limiter: deps.limiter, send, urlFor };
}

/** Builds a GraphResponse from parts (also used for $batch items). */
export function toResponse(status: number, headers: Headers, body: Buffer, tries: number): GraphResponse {
  return {
    status,
    headers,
    body,
    tries,
    retryAfter: headers.get('retry-after'),
    json<T>() {
      if (body.length === 0) return undefined;
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch {
        return undefined;
      }
    },
  };
}

function encodeBody(req: GraphRequest): { body?: Uint8Array<ArrayBuffer> | string; contentType?: string } {
  if (req.body === undefined) return {};
  if (Buffer.isBuffer(req.body)) {
    const copy = new Uint8Array(req.body.byteLength);
    copy.set(req.body);
    return { body: copy };
  }
  if (typeof req.body === 'string') return { body: req.body };
  return { body: JSON.stringify(req.body), contentType: 'application/json' };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** `encodeURIComponent` for a user id or UPN in a path segment (UPNs of guests contain `#EXT#`). */
export function userSegment(idOrUpn: string): string {
  return encodeURIComponent(idOrUpn);
}

/** A GraphRequestError for an unexpected status, with the advice for `op`. */
export function errorFromResponse(res: GraphResponse, op: GraphOperation, what: string): GraphRequestError {
  const body = parseGraphError(res.json());
  const a = adviceForGraphStatus(res.status, op, body);
  return new GraphRequestError(`${what} answered HTTP ${res.status}${body.code ? ` ${body.code}` : ''}${body.message ? `: ${body.message}` : ''}`, {
    status: res.status,
    errorId: a.errorId,
    advice: a.advice,
    retryable: a.retryable,
    ...(body.code ? { code: body.code } : {}),
    ...(body.requestId ? { requestId: body.requestId } : {}),
  });
}
