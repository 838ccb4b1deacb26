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
import { adviceForAuthFailure, CloudAuthError, CloudConfigError, describe } from './errors.js';
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
  const config: Configuration = {
    auth: {
      clientId: opts.clientId,
      authority: authorityUrl(opts.endpoints, opts.tenantId),
      knownAuthorities: [authorityHostName(opts.endpoints)],
      ...credentialOptions(opts.credential),
    },
    system: {
      networkClient: createNetworkModule(opts.fetch),
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
  return singleFlight(async (forceRefresh) => {
    try {
      const result = await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('Entra ID returned no access token');
      return result.accessToken;
    } catch (err) {
      throw toCloudAuthError(err);
    }
  });
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
 * MSAL's INetworkModule over our fetch (mirrors MSAL's own fetch client: JSON bodies, lower-case headers).
 * MSAL maps non-2xx bodies itself; we only turn non-JSON answers (e.g. a proxy's HTML page) into a clear error.
 */
export function createNetworkModule(fetchFn: FetchLike): INetworkModule {
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
      const detail = `${method} ${url} answered HTTP ${response.status} with a non-JSON body: ${text.slice(0, 120)}`;
      throw withCause(new AuthError('network_error', options?.correlationId ?? '', detail), err);
    }
    return { headers, body, status: response.status };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

/** Wraps anything MSAL throws into a CloudAuthError with plain advice. */
export function toCloudAuthError(err: unknown): CloudAuthError {
  if (err instanceof CloudAuthError) return err;
  const rec = (typeof err === 'object' && err !== null ? err : {}) as { errorCode?: unknown; errorMessage?: unknown };
  const errorCode = typeof rec.errorCode === 'string' ? rec.errorCode : undefined;
  const text = [typeof rec.errorMessage === 'string' ? rec.errorMessage : '', describe(err), causeChain(err)].join(' ');
  const { code, advice } = adviceForAuthFailure(text, errorCode);
  const first = (typeof rec.errorMessage === 'string' && rec.errorMessage) || describe(err);
  return new CloudAuthError(`Sign-in to Entra ID failed: ${first.split('\n')[0]}`, { cause: err, advice, ...(code ? { code } : {}) });
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
