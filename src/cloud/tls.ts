/**
 * The one HTTP transport of the cloud side: `fetch` over an undici dispatcher that bounds every request in time and
 * optionally trusts an extra CA (TLS-inspecting proxies; tests use the same door to trust a local emulator). Sign-in
 * (MSAL) and Graph both go through the transport made here, so the CA and the time bounds apply to every cloud call.
 *
 * Time bounds (docs/troubleshooting.md#limits): a host that accepts TCP and TLS and then never answers must not hold
 * a scheduled run. Connecting (TCP + TLS) is bounded by `connectTimeoutMs`; waiting for an answer (the response
 * headers once the request is sent, then each body chunk) by `answerTimeoutMs`; a whole request by
 * `requestTimeoutMs`; and all requests of a run by an optional `deadline` signal.
 */
import { PEM_MAX_BYTES, readBounded } from '../files/bounded-read.js';
import tls from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { requestFetch } from './request-fetch.js';
import { CloudConfigError } from './errors.js';
import { HpsError, type ErrorKind } from '../errors.js';

/** The subset of `fetch` the cloud code uses; injectable for tests. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface CloudTransport {
  fetch: FetchLike;
  /** Closes pooled connections. Safe to call twice. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** PEM file with one or more extra CA certificates, trusted on top of Node's built-in roots. */
  caFile?: string;
  /** Max sockets per origin (default undici's: unlimited; the Graph limiter bounds requests anyway). */
  connectionsPerOrigin?: number;
  /** Injected for tests. */
  readFile?: (path: string) => Promise<Buffer>;
  /** The fetch to call with the transport's dispatcher; default {@link requestFetch} (undici's `request`). */
  baseFetch?: FetchLike;
  /** TCP connect + TLS handshake. Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number;
  /** Silence while waiting for response headers or the next body chunk. Default {@link DEFAULT_ANSWER_TIMEOUT_MS}. */
  answerTimeoutMs?: number;
  /** One whole request (sign-in's token POST has no other bound). Default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
  /** When this aborts (the run's deadline), every request in flight and every later one fails with its reason. */
  deadline?: AbortSignal;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_ANSWER_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** The run's overall deadline for cloud calls passed: not retried (a retry would fail the same way at once). */
export class RunDeadlineError extends HpsError {
  override readonly kind: ErrorKind = 'connect';
  constructor(readonly minutes: number) {
    super(`the run's deadline for cloud calls (cloud.deadlineMinutes: ${minutes}) has passed; stopping`);
  }
}

/** An AbortSignal that aborts with a RunDeadlineError after `minutes`, and a way to cancel it. */
export function runDeadline(minutes: number): { signal: AbortSignal; cancel(): void } {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new RunDeadlineError(minutes)), minutes * 60_000);
  timer.unref();
  return { signal: ctl.signal, cancel: () => clearTimeout(timer) };
}

/** Builds the cloud transport: one undici Agent (Node's roots, plus `caFile` when given) and the timeouts. */
export async function createTransport(opts: TransportOptions = {}): Promise<CloudTransport> {
  const baseFetch: FetchLike = opts.baseFetch ?? requestFetch;
  const pem = opts.caFile ? await readCaFile(opts.caFile, opts.readFile ?? ((f: string) => readBounded(f, { maxBytes: PEM_MAX_BYTES }))) : undefined;
  const answer = opts.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  const agent = new Agent({
    // One secure context for every connection: `ca` here would parse Node's ~150 root certificates again for each
    // TLS connection the pool opens (milliseconds of CPU each time).
    connect: { timeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, ...(pem ? { secureContext: caContext(pem) } : {}) },
    headersTimeout: answer,
    bodyTimeout: answer,
    ...(opts.connectionsPerOrigin ? { connections: opts.connectionsPerOrigin } : {}),
  });
  return transportOverDispatcher(agent, baseFetch, { requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, ...(opts.deadline ? { deadline: opts.deadline } : {}) });
}

/** Node's roots plus `extraCaPem`, parsed once for all the connections of a pool. */
function caContext(extraCaPem: string): tls.SecureContext {
  return tls.createSecureContext({ ca: [...tls.rootCertificates, extraCaPem] });
}

/** An undici Agent trusting Node's roots plus `extraCaPem`. */
export function createCaAgent(extraCaPem: string, connectionsPerOrigin?: number): Agent {
  return new Agent({
    connect: { secureContext: caContext(extraCaPem) },
    ...(connectionsPerOrigin ? { connections: connectionsPerOrigin } : {}),
  });
}

/** Wraps `baseFetch` so every call goes through `dispatcher`, bounded by `requestTimeoutMs` and the `deadline`. */
export function transportOverDispatcher(
  dispatcher: Dispatcher,
  baseFetch: FetchLike,
  bounds: { requestTimeoutMs?: number; deadline?: AbortSignal } = {},
): CloudTransport {
  let closed = false;
  const signalFor = (own: AbortSignal | null | undefined): AbortSignal | undefined => {
    const all = [own, bounds.deadline, bounds.requestTimeoutMs ? AbortSignal.timeout(bounds.requestTimeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined && s !== null,
    );
    return all.length <= 1 ? all[0] : AbortSignal.any(all);
  };
  return {
    // Node's global fetch takes an undici `dispatcher` in its init; the DOM RequestInit type does not list it.
    fetch: (url, init) => {
      if (bounds.deadline?.aborted) return Promise.reject(bounds.deadline.reason);
      const signal = signalFor(init?.signal);
      return baseFetch(url, { ...init, dispatcher, ...(signal ? { signal } : {}) } as RequestInit);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
  };
}

/** Reads and sanity-checks an extra CA file. */
export async function readCaFile(path: string, readFile: (path: string) => Promise<Buffer>): Promise<string> {
  let text: string;
  try {
    text = (await readFile(path)).toString('utf8');
  } catch (err) {
    throw new CloudConfigError(`Cannot read the extra CA file ${path}`, { cause: err, advice: 'Check the path and that this user may read it.' });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CloudConfigError(`The extra CA file ${path} holds no PEM certificate`, {
      advice: 'Export the proxy’s root CA as Base-64 encoded X.509 (.pem/.cer with -----BEGIN CERTIFICATE-----).',
    });
  }
  return text;
}
