/**
 * Wires the cloud side together from plain options: endpoints → transport (extra CA) → MSAL tokens →
 * one limiter + one retry policy → GraphHttp → reader, writer, policy. Nothing here is global; each call
 * builds its own objects, and `close()` releases the transport.
 */
import { createMsalTokenProvider, type ClientCredential, type TokenProvider } from './auth.js';
import { resolveEndpoints, type CloudEndpoints, type NationalCloud } from './endpoints.js';
import { createBatcher } from './batch.js';
import { createGraphReader, type GraphReader } from './graph-reader.js';
import { createGraphWriter } from './graph-writer.js';
import { createGraphHttp, type GraphHttp } from './http.js';
import { createLimiter, DEFAULT_MAX_IN_FLIGHT, type Limiter } from './limiter.js';
import { readPhotoUpdatePolicy, type PhotoUpdatePolicy } from './policy.js';
import { createRetryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';
import { createTransport, runDeadline, type FetchLike } from './tls.js';
import type { PhotoWriter } from '../sync/apply/writer.js';

export interface CloudConnectOptions {
  tenantId: string;
  clientId: string;
  credential: ClientCredential;
  cloud?: NationalCloud;
  authorityHost?: string;
  graphBaseUrl?: string;
  /** Extra CA PEM file trusted for sign-in and Graph (TLS-inspecting proxies). */
  caFile?: string;
  /** Ceiling of the in-flight budget shared by reader and writer (units: requests and running batch items). Default 16. */
  maxInFlight?: number;
  retry?: RetryOptions;
  /** Page size of the users listing (default 999, Graph's maximum). */
  usersPageSize?: number;
  /** Per-try Graph timeout in ms. */
  timeoutMs?: number;
  /** TCP + TLS handshake bound for sign-in and Graph, in ms (transport default 10 s). */
  connectTimeoutMs?: number;
  /** How long a host may stay silent (headers, then each body chunk), in ms (transport default 30 s). */
  answerTimeoutMs?: number;
  /** Every cloud call of this connection fails after this many minutes (not retried): the run's overall bound. */
  deadlineMinutes?: number;
  log?: (level: 'error' | 'warn', message: string) => void;
  /** Replaces global fetch underneath the transport (tests). */
  baseFetch?: FetchLike;
  /** Replaces MSAL entirely (tests, or a token from elsewhere). */
  tokens?: TokenProvider;
}

export interface CloudConnection {
  endpoints: CloudEndpoints;
  tokens: TokenProvider;
  limiter: Limiter;
  retry: RetryPolicy;
  http: GraphHttp;
  reader: GraphReader;
  /** close() of this writer does not close the connection; call the connection's close(). */
  writer: PhotoWriter;
  readPolicy(): Promise<PhotoUpdatePolicy>;
  close(): Promise<void>;
}

export async function connectCloud(opts: CloudConnectOptions): Promise<CloudConnection> {
  const endpoints = resolveEndpoints({
    ...(opts.cloud ? { cloud: opts.cloud } : {}),
    ...(opts.authorityHost ? { authorityHost: opts.authorityHost } : {}),
    ...(opts.graphBaseUrl ? { graphBaseUrl: opts.graphBaseUrl } : {}),
  });
  const deadline = opts.deadlineMinutes !== undefined ? runDeadline(opts.deadlineMinutes) : undefined;
  const transport = await createTransport({
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    ...(opts.baseFetch ? { baseFetch: opts.baseFetch } : {}),
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.answerTimeoutMs ? { answerTimeoutMs: opts.answerTimeoutMs } : {}),
    ...(deadline ? { deadline: deadline.signal } : {}),
  });
  const tokens =
    opts.tokens ??
    createMsalTokenProvider({
      tenantId: opts.tenantId,
      clientId: opts.clientId,
      credential: opts.credential,
      endpoints,
      fetch: transport.fetch,
      ...(opts.log ? { log: opts.log } : {}),
    });
  const limiter = createLimiter(opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const onWait = opts.retry?.onWait;
  const retry = createRetryPolicy({
    ...opts.retry,
    onWait: (ms) => {
      limiter.waited(ms);
      onWait?.(ms);
    },
  });
  const http = createGraphHttp({
    graphBaseUrl: endpoints.graphBaseUrl,
    tokens,
    fetch: transport.fetch,
    limiter,
    retry,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  // One queue for every batchable read: the reader's metadata and downloads and the writer's etag read-backs share
  // full batches.
  const batcher = createBatcher(http, retry);
  return {
    endpoints,
    tokens,
    limiter,
    retry,
    http,
    reader: createGraphReader({ http, retry, batcher, ...(opts.usersPageSize ? { pageSize: opts.usersPageSize } : {}) }),
    writer: createGraphWriter({ http, batcher }),
    readPolicy: () => readPhotoUpdatePolicy(http),
    close: () => {
      deadline?.cancel();
      return transport.close();
    },
  };
}
