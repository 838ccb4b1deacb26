/**
 * The one HTTP transport of the cloud side: `fetch` plus an optional undici dispatcher that trusts an extra CA.
 * The real need is TLS-inspecting proxies; tests use the same door to trust a local emulator. Sign-in (MSAL)
 * and Graph both go through the transport made here, so the extra CA applies to every cloud call.
 */
import { PEM_MAX_BYTES, readBounded } from '../files/bounded-read.js';
import tls from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { CloudConfigError } from './errors.js';

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
  /** The fetch to call; defaults to the global one, looked up at call time (so interceptors such as nock see it). */
  baseFetch?: FetchLike;
}

/** Builds the cloud transport. Without `caFile` it is plain global fetch with Node's default trust. */
export async function createTransport(opts: TransportOptions = {}): Promise<CloudTransport> {
  const baseFetch: FetchLike = opts.baseFetch ?? ((url, init) => globalThis.fetch(url, init));
  if (!opts.caFile) {
    return { fetch: baseFetch, close: async () => {} };
  }
  const pem = await readCaFile(opts.caFile, opts.readFile ?? ((f: string) => readBounded(f, { maxBytes: PEM_MAX_BYTES })));
  const agent = createCaAgent(pem, opts.connectionsPerOrigin);
  return transportOverDispatcher(agent, baseFetch);
}

/** An undici Agent trusting Node's roots plus `extraCaPem`. */
export function createCaAgent(extraCaPem: string, connectionsPerOrigin?: number): Agent {
  return new Agent({
    connect: { ca: [...tls.rootCertificates, extraCaPem] },
    ...(connectionsPerOrigin ? { connections: connectionsPerOrigin } : {}),
  });
}

/** Wraps `baseFetch` so every call goes through `dispatcher`. */
export function transportOverDispatcher(dispatcher: Dispatcher, baseFetch: FetchLike): CloudTransport {
  let closed = false;
  return {
    // Node's global fetch takes an undici `dispatcher` in its init; the DOM RequestInit type does not list it.
    fetch: (url, init) => baseFetch(url, { ...init, dispatcher } as RequestInit),
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
