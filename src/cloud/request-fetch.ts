/**
 * The `fetch` the cloud transport uses by default: undici's `request` on the transport's own dispatcher, answering
 * with a standard `Response` as soon as the headers are in (the body streams). The WHATWG fetch machinery (a Request
 * object, the body as a web stream, the fetch controller) costs about a millisecond of CPU and as much latency per
 * request on this path, which at tens of thousands of Graph requests a run is seconds; nothing here needs what it adds
 * (redirects, CORS, compression negotiation: Graph's photo and batch endpoints answer directly, uncompressed unless
 * asked). docs/decisions.md, "Clean JPEGs kept, undici's `request`, a spool in memory first".
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { request, type Dispatcher } from 'undici';
import type { FetchLike } from './tls.js';

type RequestBody = string | Uint8Array;

function headerRecord(init: HeadersInit | undefined): Record<string, string> {
  if (!init) return {};
  if (init instanceof Headers || Array.isArray(init)) return Object.fromEntries(new Headers(init).entries());
  return { ...(init as Record<string, string>) };
}

function bodyOf(body: RequestInit['body']): RequestBody | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError(`request body of type ${Object.prototype.toString.call(body)} is not supported by the cloud transport`);
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/** Statuses whose answer has no body (a Response with a body and one of these is an error). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** A FetchLike over `undici.request`; the dispatcher comes in `init.dispatcher`, as with Node's fetch. */
export const requestFetch: FetchLike = async (url, init) => {
  const { dispatcher, method, headers, body, signal } = (init ?? {}) as RequestInit & { dispatcher?: Dispatcher };
  const payload = bodyOf(body);
  const answer = await request(url, {
    method: (method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
    headers: headerRecord(headers),
    ...(payload === undefined ? {} : { body: payload }),
    ...(signal ? { signal } : {}),
    ...(dispatcher ? { dispatcher } : {}),
  });
  const status = answer.statusCode;
  if (NULL_BODY.has(status)) {
    answer.body.resume();
    return new Response(null, { status, headers: responseHeaders(answer.headers) });
  }
  const stream = Readable.toWeb(answer.body) as WebReadableStream<Uint8Array>;
  return new Response(stream as unknown as ReadableStream<Uint8Array>, { status, headers: responseHeaders(answer.headers) });
};
