/**
 * Turns what ldapts and Node's TLS stack throw while connecting and binding into DirectoryConnectError /
 * DirectoryAuthError with plain advice. Pure: no I/O.
 */
import { DirectoryAuthError, DirectoryConnectError, DirectoryError, type ConnectFailure } from './errors.js';

export interface ConnectContext {
  url: string;
  bindDn: string;
  startTls: boolean;
  caFile?: string;
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** AD's bind sub-codes (the `data 52e` in the error text) and what they mean for the admin. */
const AD_BIND_CODES: Record<string, string> = {
  '525': 'the bind account does not exist',
  '52e': 'wrong user name or password',
  '530': 'the bind account may not log on at this time',
  '531': 'the bind account may not log on from this computer',
  '532': 'the bind account\'s password has expired',
  '533': 'the bind account is disabled',
  '701': 'the bind account has expired',
  '773': 'the bind account must change its password before it can log on',
  '775': 'the bind account is locked out',
};

/** LDAP result codes that mean "use TLS first". */
const TLS_REQUIRED_RESULTS = new Set([8, 13]);

function codeOf(err: unknown): string | number | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' || typeof c === 'number' ? c : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Maps a connect/StartTLS/bind failure to a typed error with a message that says what to do. */
export function classifyConnectError(err: unknown, ctx: ConnectContext): DirectoryError {
  if (err instanceof DirectoryError) return err;
  const code = codeOf(err);
  const msg = messageOf(err);
  const host = hostOf(ctx.url);
  const connect = (reason: ConnectFailure, text: string): DirectoryConnectError =>
    new DirectoryConnectError(reason, text, { cause: err });

  if (typeof code === 'number') {
    if (code === 49) {
      const sub = /\bdata ([0-9a-f]{3,4})\b/i.exec(msg)?.[1]?.toLowerCase();
      const meaning = (sub && AD_BIND_CODES[sub]) ?? 'wrong user name or password';
      return new DirectoryAuthError(
        `The DC at ${host} refused the bind as "${ctx.bindDn}": ${meaning}. Check the bind DN (a UPN like ` +
          `svc-photos@corp.example.com works too) and the password.`,
        { cause: err, ...(sub ? { adCode: sub } : {}) },
      );
    }
    if (code === 48 || code === 53) {
      return new DirectoryAuthError(`The DC at ${host} will not accept this bind as "${ctx.bindDn}" (${msg}).`, { cause: err });
    }
    if (TLS_REQUIRED_RESULTS.has(code)) {
      return connect('tls-required', `The DC at ${host} requires an encrypted connection: use an ldaps:// URL or turn on StartTLS.`);
    }
  }

  if (typeof code === 'string') {
    if (TLS_VERIFY_CODES.has(code)) {
      const ca = ctx.caFile
        ? `The CA file ${ctx.caFile} did not verify it: check that it holds the certificate of the CA that issued the DC's certificate.`
        : 'Pass the CA certificate (PEM) that issued it with the config setting directory.caFile ' +
          '(or NODE_EXTRA_CA_CERTS=<file>); do not turn verification off.';
      return connect('tls-verify', `TLS verification of ${host} failed (${code}: ${msg}): this machine does not trust the DC's certificate. ${ca}`);
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return connect(
        'tls-hostname',
        `TLS verification of ${host} failed: the certificate does not name that host (${msg}). Connect by a name ` +
          'the certificate lists, or set directory.servername to it.',
      );
    }
    if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
      const hint = ctx.startTls
        ? 'StartTLS failed.'
        : 'Is this an LDAPS port? LDAPS is usually 636 (3269 for the global catalog); for port 389 use ldap:// with StartTLS.';
      return connect('tls', `TLS handshake with ${host} failed (${msg}). ${hint}`);
    }
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      const port = ctx.startTls
        ? ''
        : ' If this port does not speak LDAPS (389 is plain LDAP; LDAPS is usually 636), fix the port or use ldap:// with StartTLS.';
      return connect('unreachable', `The DC at ${host} closed the connection (${code}).${port} Otherwise check firewalls and proxies on the way.`);
    }
    if (UNREACHABLE_CODES.has(code)) {
      return connect('unreachable', `Cannot reach the DC at ${host} (${code}): check the host name, the port and any firewall between here and the DC.`);
    }
    if (code === 'ETIMEDOUT') {
      return connect('timeout', `Connecting to the DC at ${host} timed out: check the host, the port and firewalls.`);
    }
  }
  if (/connection timeout|timed out/i.test(msg)) {
    return connect('timeout', `Connecting to the DC at ${host} timed out (${msg}): check the host, the port and firewalls.`);
  }
  return connect('other', `Could not connect and bind to the DC at ${host}: ${msg}`);
}
