/**
 * App-only sign-in with MSAL Node (client credentials): a client secret or a certificate.
 * MSAL talks only to the configured authority (knownAuthorities, no instance discovery) and only through the
 * injected fetch (a custom INetworkModule), so the extra CA of tls.ts applies to sign-in too.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import {
  AuthError,
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
  LogLevel,
} from '@azure/msal-node';
import { authorityHostName, authorityUrl, graphScope, type CloudEndpoints } from './endpoints.js';
import {
  adviceForAuthFailure,
  adviceForDiscoveryAnswer,
  adviceForSignInNetworkError,
  CloudAuthError,
  CloudConfigError,
  describe,
  networkErrorCode,
} from './errors.js';
import type { FetchLike } from './tls.js';

/** Hands out Graph access tokens. `forceRefresh` skips any cache (used once after a 401). */
export interface TokenProvider {
  getToken(forceRefresh?: boolean): Promise<string>;
}

export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | {
      kind: 'certificate';
      /** PEM private key (PKCS#8 or PKCS#1; converted to PKCS#8 for MSAL). */
      privateKeyPem: string;
      /** PEM certificate; when given, the SHA-256 thumbprint is computed from it. */
      certificatePem?: string;
      /** Hex thumbprint: 64 digits = SHA-256 (x5t#S256, PS256), 40 digits = SHA-1 (x5t, RS256; legacy). */
      thumbprint?: string;
      /** Private key passphrase, when the PEM is encrypted. */
      passphrase?: string;
      /** Send the certificate chain (x5c) for subject-name/issuer auth. */
      sendX5c?: boolean;
    };

export interface MsalTokenProviderOptions {
  tenantId: string;
  clientId: string;
  credential: ClientCredential;
  endpoints: CloudEndpoints;
  fetch: FetchLike;
  /** Optional diagnostics sink for MSAL warnings and errors (never PII). */
  log?: (level: 'error' | 'warn', message: string) => void;
}

/** Creates the MSAL-backed token provider. Throws CloudConfigError for unusable key material, before any I/O. */
export function createMsalTokenProvider(opts: MsalTokenProviderOptions): TokenProvider {
  const authority = authorityUrl(opts.endpoints, opts.tenantId);
  /** The last GET of the current sign-in that MSAL could not use (it keeps only "endpoints_resolution_error"). */
  let failedGet: FailedGet | undefined;
  const config: Configuration = {
    auth: {
      clientId: opts.clientId,
      authority,
      knownAuthorities: [authorityHostName(opts.endpoints)],
      ...credentialOptions(opts.credential),
    },
    system: {
      networkClient: createNetworkModule(opts.fetch, (failure) => {
        failedGet = failure;
      }),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (level === LogLevel.Error) opts.log?.('error', message);
          else if (level === LogLevel.Warning) opts.log?.('warn', message);
        },
      },
    },
  };
  const app = new ConfidentialClientApplication(config);
  const scopes = [graphScope(opts.endpoints)];
  /** Set once the sign-in host failed to answer in time: later sign-ins of this connection fail at once. */
  let silent: CloudAuthError | undefined;
  // MSAL's cache lookup costs a fraction of a millisecond per call: thousands of Graph requests a run make it
  // worth remembering the token here until a minute before it expires (a 401 forces a refresh anyway).
  let memo: { token: string; until: number } | undefined;
  return singleFlight(async (forceRefresh) => {
    if (silent) throw silent;
    if (!forceRefresh && memo && Date.now() < memo.until) return memo.token;
    failedGet = undefined;
    try {
      const result = await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('Entra ID returned no access token');
      memo = result.expiresOn ? { token: result.accessToken, until: result.expiresOn.getTime() - 60_000 } : undefined;
      return result.accessToken;
    } catch (err) {
      const e = toCloudAuthError(err, { authority, failedGet });
      if (!signInTimedOut(failedGet, err)) throw e;
      // A host that accepted the connection and then said nothing for the whole answer bound will not answer a
      // retry either: without this every caller would retry sign-in maxTries times, each waiting the full bound.
      silent = new CloudAuthError(e.message, { cause: e.cause, code: SIGN_IN_NO_ANSWER, ...(e.advice ? { advice: e.advice } : {}) });
      throw silent;
    }
  });
}

/** CloudAuthError code of a sign-in host that did not answer within the time bounds (not retried). */
export const SIGN_IN_NO_ANSWER = 'SignInNoAnswer';
const NO_ANSWER_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** Whether the sign-in failed because the host did not answer in time (or the run's deadline passed). */
function signInTimedOut(failed: FailedGet | undefined, err: unknown): boolean {
  const cause = failed && 'error' in failed ? failed.error : err;
  let cur: unknown = cause;
  for (let depth = 0; depth < 6 && typeof cur === 'object' && cur !== null; depth++) {
    if ((cur as Error).name === 'RunDeadlineError') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  const code = networkErrorCode(cause);
  return code !== undefined && NO_ANSWER_CODES.has(code);
}

/**
 * Shares one in-flight token request between concurrent callers, so a burst of 401s (a revoked token seen by
 * four requests at once) triggers one refresh, not four. A forced refresh does not join a plain (cached) request.
 */
export function singleFlight(acquire: (forceRefresh: boolean) => Promise<string>): TokenProvider {
  let inflight: { promise: Promise<string>; forced: boolean } | undefined;
  return {
    getToken(forceRefresh = false) {
      if (inflight && (inflight.forced || !forceRefresh)) return inflight.promise;
      const entry = {
        forced: forceRefresh,
        promise: acquire(forceRefresh).finally(() => {
          if (inflight === entry) inflight = undefined;
        }),
      };
      inflight = entry;
      return entry.promise;
    },
  };
}

/** MSAL's auth options for a secret or a certificate. */
export function credentialOptions(cred: ClientCredential): Partial<Configuration['auth']> {
  if (cred.kind === 'secret') {
    if (!cred.secret) throw new CloudConfigError('The client secret is empty', { advice: 'Set the client secret value from the app registration.' });
    return { clientSecret: cred.secret };
  }
  const privateKey = toPkcs8(cred.privateKeyPem, cred.passphrase);
  let thumbprint = cred.thumbprint?.replace(/[:\s]/g, '').toLowerCase();
  if (cred.certificatePem) {
    const prints = certificateThumbprints(cred.certificatePem);
    if (thumbprint && thumbprint !== prints.sha256 && thumbprint !== prints.sha1) {
      throw new CloudConfigError('The configured thumbprint does not match the certificate', {
        advice: `The certificate's SHA-256 thumbprint is ${prints.sha256.toUpperCase()}; leave the thumbprint out to use it.`,
      });
    }
    thumbprint ??= prints.sha256;
  }
  if (!thumbprint) {
    throw new CloudConfigError('A certificate credential needs the certificate or its thumbprint', {
      advice: 'Give the certificate PEM (preferred) or its SHA-256 thumbprint.',
    });
  }
  const x5c = cred.sendX5c && cred.certificatePem ? { x5c: cred.certificatePem } : {};
  if (/^[0-9a-f]{64}$/.test(thumbprint)) return { clientCertificate: { thumbprintSha256: thumbprint, privateKey, ...x5c } };
  if (/^[0-9a-f]{40}$/.test(thumbprint)) return { clientCertificate: { thumbprint, privateKey, ...x5c } };
  throw new CloudConfigError(`"${cred.thumbprint}" is not a SHA-256 (64 hex) or SHA-1 (40 hex) thumbprint`, {
    advice: 'Copy the thumbprint from the app registration, or give the certificate PEM instead.',
  });
}

/** SHA-1 and SHA-256 thumbprints (lower-case hex, no colons) of the first certificate in a PEM. */
export function certificateThumbprints(certificatePem: string): { sha1: string; sha256: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch (err) {
    throw new CloudConfigError('The certificate is not a readable PEM X.509 certificate', { cause: err, advice: 'Give the certificate as PEM (-----BEGIN CERTIFICATE-----).' });
  }
  return {
    sha1: createHash('sha1').update(cert.raw).digest('hex'),
    sha256: createHash('sha256').update(cert.raw).digest('hex'),
  };
}

function toPkcs8(pem: string, passphrase?: string): string {
  try {
    const key = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
    return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (err) {
    throw new CloudConfigError('The certificate private key cannot be read', {
      cause: err,
      advice: 'Give an unencrypted PEM private key (or its passphrase). From a .pfx: openssl pkcs12 -in app.pfx -nocerts -nodes -out key.pem',
    });
  }
}

/**
 * A GET that MSAL could not use: no answer (`error`: refused, DNS, TLS, timeout) or an error / non-JSON answer.
 * With knownAuthorities set, MSAL's only GET in the client-credentials flow is the authority's OpenID configuration
 * (endpoint discovery), and MSAL reduces any failure there to a bare "endpoints_resolution_error"; this keeps what
 * really happened.
 */
export type FailedGet = { url: string; error: unknown } | { url: string; status: number; body: unknown };

/**
 * MSAL's INetworkModule over our fetch (mirrors MSAL's own fetch client: JSON bodies, lower-case headers).
 * MSAL maps non-2xx bodies itself; we only turn non-JSON answers (e.g. a proxy's HTML page) into a clear error.
 * `onFailedGet` hears of every GET that failed or answered with an error, before MSAL swallows it.
 */
export function createNetworkModule(fetchFn: FetchLike, onFailedGet?: (failure: FailedGet) => void): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const init: RequestInit = { method, headers: { ...(options?.headers ?? {}) } };
    if (method === 'POST') init.body = options?.body ?? '';
    if (timeout) init.signal = AbortSignal.timeout(timeout);
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(url, init);
      text = await response.text();
    } catch (err) {
      if (method === 'GET') onFailedGet?.({ url, error: err });
      // MSAL replaces non-AuthError failures with a bare "network_error"; an AuthError keeps our detail.
      throw withCause(new AuthError('network_error', options?.correlationId ?? '', `${method} ${url} failed: ${describe(err)} ${causeChain(err)}`.trim()), err);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch (err) {
      if (method === 'GET') onFailedGet?.({ url, status: response.status, body: text.slice(0, 200) });
      const detail = `${method} ${url} answered HTTP ${response.status} with a non-JSON body: ${text.slice(0, 120)}`;
      throw withCause(new AuthError('network_error', options?.correlationId ?? '', detail), err);
    }
    if (method === 'GET' && response.status >= 400) onFailedGet?.({ url, status: response.status, body });
    return { headers, body, status: response.status };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

/** What the provider knows about a failed sign-in besides MSAL's error. */
export interface SignInContext {
  /** The authority MSAL was given: https://host[:port]/tenant. */
  authority: string;
  /** The last GET of this sign-in that MSAL could not use. */
  failedGet?: FailedGet | undefined;
}

/** MSAL's error codes for "the authority's endpoints (OpenID configuration) could not be resolved". */
const ENDPOINTS_ERRORS = new Set(['endpoints_resolution_error', 'openid_config_error']);

/** Wraps anything MSAL throws into a CloudAuthError with plain advice. */
export function toCloudAuthError(err: unknown, context?: SignInContext): CloudAuthError {
  if (err instanceof CloudAuthError) return err;
  const rec = (typeof err === 'object' && err !== null ? err : {}) as { errorCode?: unknown; errorMessage?: unknown };
  const errorCode = typeof rec.errorCode === 'string' ? rec.errorCode : undefined;
  if (context && errorCode && ENDPOINTS_ERRORS.has(errorCode)) return endpointsNotResolved(err, errorCode, context);
  const text = [typeof rec.errorMessage === 'string' ? rec.errorMessage : '', describe(err), causeChain(err)].join(' ');
  const netCode = errorCode === 'network_error' ? networkErrorCode(err) : undefined;
  const { code, advice } =
    context && netCode ? { code: undefined, advice: adviceForSignInNetworkError(netCode, new URL(context.authority).host) } : adviceForAuthFailure(text, errorCode);
  const first = (typeof rec.errorMessage === 'string' && rec.errorMessage) || describe(err);
  return new CloudAuthError(`Sign-in to Entra ID failed: ${first.split('\n')[0]}`, { cause: err, advice, ...(code ? { code } : {}) });
}

/** Endpoint discovery failed: say which URL was tried and what happened to it, from the GET that MSAL swallowed. */
function endpointsNotResolved(err: unknown, errorCode: string, { authority, failedGet }: SignInContext): CloudAuthError {
  const host = new URL(authority).host;
  const url = failedGet?.url ?? `${authority}/v2.0/.well-known/openid-configuration`;
  if (failedGet && 'error' in failedGet) {
    const netCode = networkErrorCode(failedGet.error);
    return new CloudAuthError(
      `Sign-in to Entra ID failed: cannot connect to the authority host ${host}${netCode ? ` (${netCode})` : ''}: GET ${url}: ${innermostMessage(failedGet.error)}`,
      { cause: failedGet.error, advice: adviceForSignInNetworkError(netCode, host) },
    );
  }
  if (failedGet) {
    const text = errorText(failedGet.body).split(/\r?\n/)[0]?.trim() ?? '';
    const { code, advice } = adviceForDiscoveryAnswer(failedGet.status, text, host);
    return new CloudAuthError(`Sign-in to Entra ID failed: the authority host ${host} answered HTTP ${failedGet.status} to GET ${url}${text ? `: ${text}` : ''}`, {
      cause: err,
      advice,
      ...(code ? { code } : {}),
    });
  }
  return new CloudAuthError(`Sign-in to Entra ID failed: the OpenID configuration at ${url} is not usable (MSAL ${errorCode})`, {
    cause: err,
    advice:
      `Check that cloud.authorityHost is the Entra ID sign-in root of your cloud and cloud.tenantId the directory (tenant) ID; ` +
      `${url} must return the tenant's OpenID configuration, with its issuer on https://${host}.`,
  });
}

/** The error text of an authority's answer: Entra's `error_description`, else `error`, else the raw text. */
function errorText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (typeof body !== 'object' || body === null) return '';
  const { error_description: description, error } = body as { error_description?: unknown; error?: unknown };
  if (typeof description === 'string') return description;
  return typeof error === 'string' ? error : '';
}

/** The message of the innermost cause (fetch's "fetch failed" says nothing; its cause says "connect ECONNREFUSED …"). */
function innermostMessage(err: unknown): string {
  let cur = err;
  for (let i = 0; i < 5 && cur instanceof Error && cur.cause instanceof Error; i++) cur = cur.cause;
  return cur instanceof Error ? cur.message : String(cur);
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  return error;
}

function causeChain(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err instanceof Error ? err.cause : undefined;
  for (let i = 0; i < 4 && cur; i++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(`${cur.message}${typeof code === 'string' ? ` ${code}` : ''}`);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(' ');
}
