/**
 * Typed errors of the cloud side and the pure mapping from Graph / Entra ID failures to plain advice.
 * Nothing here does I/O; every function is tested on its own.
 */

import { HpsError, type ErrorKind } from '../errors.js';

/** Base class: every error thrown by src/cloud extends it and carries the underlying `cause` and `advice`. */
export class CloudError extends HpsError {}

/** Bad local configuration: endpoints, CA file, certificate or key files. */
export class CloudConfigError extends CloudError {
  override readonly kind: ErrorKind = 'config';
}

/** The app could not get a token from Entra ID. `code` is the AADSTS code when the server sent one. */
export class CloudAuthError extends CloudError {
  override readonly kind: ErrorKind = 'auth';
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; advice?: string; code?: string } = {}) {
    super(message, options);
    this.code = options.code;
  }
}

/** A Graph request that failed for good (network failure after retries, or an unexpected status). */
export class GraphRequestError extends CloudError {
  /** A Graph request that failed for good stops what needed it: unreachable, denied or broken. */
  override readonly kind: ErrorKind = 'connect';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly errorId: string;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  constructor(
    message: string,
    options: { cause?: unknown; advice?: string; status?: number; code?: string; errorId: string; retryable: boolean; requestId?: string },
  ) {
    super(message, options);
    this.status = options.status;
    this.code = options.code;
    this.errorId = options.errorId;
    this.retryable = options.retryable;
    this.requestId = options.requestId;
  }
}

/** The `error` object of a Graph error body, flattened. */
export interface GraphErrorBody {
  code?: string;
  message?: string;
  innerCode?: string;
  requestId?: string;
}

/** Reads `{ error: { code, message, innerError: { code, 'request-id' } } }` from an unknown body; tolerant of junk. */
export function parseGraphError(body: unknown): GraphErrorBody {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      return {};
    }
  }
  if (!isRecord(value) || !isRecord(value.error)) return {};
  const e = value.error;
  const inner = isRecord(e.innerError) ? e.innerError : undefined;
  const out: GraphErrorBody = {};
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.message === 'string') out.message = e.message;
  if (inner && typeof inner.code === 'string') out.innerCode = inner.code;
  const rid = inner?.['request-id'] ?? inner?.requestId;
  if (typeof rid === 'string') out.requestId = rid;
  return out;
}

/** What the code was trying to do when Graph said no; the advice depends on it. */
export type GraphOperation = 'read-users' | 'read-photo' | 'write-photo' | 'delete-photo' | 'read-policy' | 'batch';

export interface GraphAdvice {
  /** Stable machine-readable id, e.g. `Forbidden`, `RequestEntityTooLarge`. */
  errorId: string;
  advice: string;
  retryable: boolean;
}

const WRITE_PERMISSION =
  'The app needs the ProfilePhoto.ReadWrite.All (or User.ReadWrite.All) application permission with admin consent. ' +
  "If it has it, the tenant's photo update settings may allow photo changes only on-premises " +
  '(GET /beta/admin/people/photoUpdateSettings shows source "onPremises"); use the Exchange route or change the setting.';

/** Advice for one Graph failure, keyed on the HTTP status (not on the code string, which varies between services). */
export function adviceForGraphStatus(status: number, op: GraphOperation, body?: GraphErrorBody): GraphAdvice {
  const code = body?.code ?? '';
  switch (status) {
    case 400:
      if (op === 'write-photo') {
        return {
          errorId: 'BadRequest',
          advice:
            'Graph rejected the image. Upload a baseline JPEG (not progressive, not CMYK) under 4 MB; ' +
            'the photo normaliser should produce one.' + (code ? ` Graph said: ${code}.` : ''),
          retryable: false,
        };
      }
      return { errorId: 'BadRequest', advice: `Graph rejected the request${code ? ` (${code})` : ''}; this is likely a bug, please report it.`, retryable: false };
    case 401:
      return {
        errorId: 'Unauthorized',
        advice:
          'Graph rejected the access token even after a refresh. Check that the authority and the Graph endpoint belong to ' +
          'the same cloud (global, usgov, dod, china) and that the tenant ID is right.',
        retryable: false,
      };
    case 403:
      switch (op) {
        case 'write-photo':
        case 'delete-photo':
          return { errorId: 'Forbidden', advice: WRITE_PERMISSION, retryable: false };
        case 'read-policy':
          return {
            errorId: 'Forbidden',
            advice: 'Reading the tenant photo update settings needs the PeopleSettings.Read.All application permission with admin consent.',
            retryable: false,
          };
        case 'read-photo':
          return {
            errorId: 'Forbidden',
            advice: 'Reading photos needs the ProfilePhoto.Read.All (or User.Read.All) application permission with admin consent.',
            retryable: false,
          };
        default:
          return { errorId: 'Forbidden', advice: 'Reading users needs the User.Read.All application permission with admin consent.', retryable: false };
      }
    case 404:
      if (op === 'read-policy') {
        return {
          errorId: 'NotFound',
          advice: 'This cloud does not offer /beta/admin/people/photoUpdateSettings; the policy cannot be checked.',
          retryable: false,
        };
      }
      return {
        errorId: 'NotFound',
        advice: 'No such user in the tenant (deleted, or the id/UPN is wrong). Refresh the cloud snapshot.',
        retryable: false,
      };
    case 413:
      return { errorId: 'RequestEntityTooLarge', advice: 'The photo is over the 4 MB Graph limit; normalise it to a smaller JPEG.', retryable: false };
    case 415:
      return { errorId: 'UnsupportedMediaType', advice: 'Graph wants Content-Type image/jpeg for photo uploads.', retryable: false };
    case 429:
      return { errorId: 'TooManyRequests', advice: 'Graph kept throttling after all retries; run again later or lower the concurrency.', retryable: true };
    case 500:
    case 502:
      return { errorId: 'ServerError', advice: 'Graph had an internal error; try again later.', retryable: true };
    case 503:
      return { errorId: 'ServiceUnavailable', advice: 'Graph was unavailable after all retries; try again later.', retryable: true };
    case 504:
      return { errorId: 'GatewayTimeout', advice: 'Graph timed out after all retries; try again later.', retryable: true };
    default:
      return {
        errorId: status >= 500 ? 'ServerError' : `Http${status}`,
        advice: `Graph answered HTTP ${status}${code ? ` (${code})` : ''}.`,
        retryable: status >= 500,
      };
  }
}

/** Pulls the first `AADSTSnnnn` code out of an MSAL / Entra ID error message. */
export function aadstsCode(text: string): string | undefined {
  return /AADSTS(\d+)/.exec(text)?.[0];
}

const AADSTS_ADVICE: Record<string, string> = {
  AADSTS7000215: 'Invalid client secret: check the client secret (use the secret Value, not the Secret ID) and that it belongs to this app.',
  AADSTS7000222: 'The client secret has expired: create a new one in the app registration and update the configuration.',
  AADSTS700016:
    'Unknown application: check the client (application) ID and the tenant ID; the app must be registered or consented in this tenant and cloud.',
  AADSTS90002:
    'Unknown tenant: check the tenant ID in cloud.tenantId (the directory GUID or a verified domain), and that it lives in the cloud ' +
    'you sign in to: cloud.environment (global, usgov, dod, china), or cloud.authorityHost when set.',
  AADSTS900023: 'The tenant ID is malformed: use the directory (tenant) GUID or a verified domain.',
  AADSTS700027:
    'The client assertion was rejected: upload the certificate (public key, .cer/.pem) to the app registration, and make sure the private key and thumbprint belong to it.',
  AADSTS700024: 'The client assertion is outside its valid time range: check this machine’s clock.',
  AADSTS7000112: 'The application is disabled in this tenant: enable it under Enterprise applications.',
  AADSTS1002012: 'Invalid scope: the Graph endpoint does not match the authority’s cloud.',
  AADSTS500011: 'Graph is not known in this tenant’s cloud: the Graph endpoint does not match the authority’s cloud.',
  AADSTS50049: 'Unknown or invalid authority instance: check authorityHost and the cloud.',
  AADSTS7000218: 'The request needs a client secret or certificate: configure one.',
};

/** Advice for an Entra ID sign-in failure, from its AADSTS code or, failing that, from the shape of the error. */
export function adviceForAuthFailure(text: string, errorCode?: string): { code?: string; advice: string } {
  const code = aadstsCode(text);
  if (code && AADSTS_ADVICE[code]) return { code, advice: AADSTS_ADVICE[code] };
  if (/certificate|self[- ]signed|UNABLE_TO_VERIFY|unable to get local issuer/i.test(text)) {
    return {
      advice:
        'TLS certificate not trusted while talking to the sign-in endpoint. Behind a TLS-inspecting proxy, pass the proxy’s root CA as the extra CA file.',
    };
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|fetch failed|network/i.test(text) || errorCode === 'network_error') {
    return { advice: 'Could not reach the sign-in endpoint: check network, proxy and the authority host.' };
  }
  if (errorCode === 'invalid_client') return { advice: 'Entra ID rejected the client credentials: check the client ID, secret or certificate.' };
  return code ? { code, advice: `Entra ID refused the sign-in (${code}); see https://login.microsoftonline.com/error?code=${code.slice(6)}.` } : { advice: 'Sign-in to Entra ID failed; see the message for details.' };
}

/**
 * Advice for a sign-in request that got no answer from the authority `host` (host[:port]), by the network error
 * code (ECONNREFUSED, ENOTFOUND, a TLS code, a timeout, …) found in the failure's cause chain.
 */
export function adviceForSignInNetworkError(code: string | undefined, host: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return (
        `Nothing accepts connections at ${host}: check the host and port (cloud.authorityHost, or the default of cloud.environment) ` +
        'and that the sign-in endpoint, proxy or emulator there is running; a firewall may also be rejecting the connection.'
      );
    case 'ENOTFOUND':
      return `DNS does not know the host name ${host.replace(/:\d+$/, '')}: check the spelling of cloud.authorityHost (or cloud.environment), and this machine's DNS and proxy settings.`;
    case 'EAI_AGAIN':
      return `DNS could not look up ${host} (temporary failure): check this machine's DNS server and network, then try again.`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `${host} did not answer in time: a firewall or proxy may be dropping the traffic; check that this machine can reach it over HTTPS (port 443 unless cloud.authorityHost names another).`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${host} closed the connection: a proxy or firewall may be in the way; check the network path to it.`;
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
    return `The TLS certificate of ${host} is not trusted (${code}). Behind a TLS-inspecting proxy, give the proxy’s root CA as the extra CA file (cloud.caFile); otherwise check that cloud.authorityHost is the sign-in host.`;
  }
  return `Could not reach the sign-in endpoint ${host}${code ? ` (${code})` : ''}: check network, proxy and cloud.authorityHost.`;
}

/**
 * Advice when the authority answered its OpenID configuration (discovery) URL with an error instead: an AADSTS
 * code from the table (AADSTS90002, unknown tenant, is the usual one), else a wrong authority host or path.
 */
export function adviceForDiscoveryAnswer(status: number, text: string, host: string): { code?: string; advice: string } {
  const code = aadstsCode(text);
  if (code && AADSTS_ADVICE[code]) return { code, advice: AADSTS_ADVICE[code] };
  return {
    ...(code ? { code } : {}),
    advice:
      `${host} answered HTTP ${status} where the OpenID configuration of the tenant should be: check that cloud.authorityHost is the ` +
      'Entra ID sign-in root of your cloud (https://host[:port], not Graph or a web proxy page) and that cloud.tenantId is the directory (tenant) ID.',
  };
}

/** Network-level error codes that mean "try again" (resets, timeouts), as Node and undici report them. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The error code of a fetch failure, looking through `cause` chains (`TypeError: fetch failed` → cause.code). */
export function networkErrorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && isRecord(cur); depth++) {
    if (typeof cur.code === 'string') return cur.code;
    if (cur.name === 'TimeoutError' || cur.name === 'AbortError') return 'ETIMEDOUT';
    cur = cur.cause;
  }
  return undefined;
}

/** Whether a thrown network error is worth retrying. */
export function isTransientNetworkError(err: unknown): boolean {
  const code = networkErrorCode(err);
  return code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
}

/** Advice for a network failure talking to Graph. */
export function adviceForNetworkError(err: unknown): GraphAdvice {
  const code = networkErrorCode(err) ?? '';
  const text = `${code} ${describe(err)}`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|unable to get local issuer/i.test(text)) {
    return {
      errorId: 'TlsUntrusted',
      advice: 'TLS certificate not trusted. Behind a TLS-inspecting proxy, pass the proxy’s root CA as the extra CA file.',
      retryable: false,
    };
  }
  if (TRANSIENT_NETWORK_CODES.has(code)) {
    return { errorId: 'NetworkError', advice: `The connection to Graph kept failing (${code}); check network stability and try again.`, retryable: true };
  }
  return { errorId: 'NetworkError', advice: `Could not reach Graph${code ? ` (${code})` : ''}: check network, proxy and the Graph endpoint.`, retryable: false };
}

/** Message of an unknown thrown value, with the first cause's message appended. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) {
    if (isRecord(err) && typeof err.message === 'string') return `${err.message}${typeof err.code === 'string' ? ` (${err.code})` : ''}`;
    return String(err);
  }
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
