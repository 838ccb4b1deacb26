/**
 * Access tokens issued by the emulator: HS256 JWTs with a per-instance random key, carrying the claims
 * Graph app-only tokens carry (aud, iss, tid, appid, roles, exp…). Revocation bumps an epoch claim.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, signHs256, verifyHs256 } from './jwt.js';

/** Graph's well-known application id; app-only Graph tokens may carry it as `aud`. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

export interface AccessClaims {
  appid: string;
  tid: string;
  roles: string[];
  exp: number;
}

export type TokenCheck = { ok: true; claims: AccessClaims } | { ok: false; message: string };

export interface TokenServiceOptions {
  tenantId: string;
  /** Audiences accepted by the Graph endpoints besides Graph's own. */
  extraAudiences: string[];
  lifetimeSeconds: () => number;
  now?: () => number;
}

export class TokenService {
  private readonly key = randomBytes(32);
  private epoch = 0;
  private readonly now: () => number;

  constructor(private readonly opts: TokenServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Resources a client may ask a token for (`<resource>/.default`). */
  isKnownResource(resource: string): boolean {
    const r = resource.replace(/\/+$/, '').toLowerCase();
    return [GRAPH_RESOURCE, GRAPH_APP_ID, ...this.opts.extraAudiences].some((a) => a.toLowerCase() === r);
  }

  issue(clientId: string, roles: readonly string[], resource: string): { accessToken: string; expiresIn: number } {
    const nowS = Math.floor(this.now() / 1000);
    const expiresIn = Math.max(1, Math.round(this.opts.lifetimeSeconds()));
    const payload = {
      aud: resource.replace(/\/+$/, ''),
      iss: `https://sts.windows.net/${this.opts.tenantId}/`,
      iat: nowS,
      nbf: nowS,
      exp: nowS + expiresIn,
      appid: clientId,
      azp: clientId,
      appidacr: '1',
      idtyp: 'app',
      oid: clientId,
      sub: clientId,
      roles: [...roles],
      tid: this.opts.tenantId,
      uti: randomUUID(),
      ver: '1.0',
      xms_emu_epoch: this.epoch,
    };
    return { accessToken: signHs256(payload, this.key), expiresIn };
  }

  revokeAll(): void {
    this.epoch += 1;
  }

  /** Check an Authorization header value the way Graph does; messages follow Graph's wording. */
  check(authorization: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m?.[1]) return { ok: false, message: 'Access token is empty.' };
    const jwt = decodeJwt(m[1]);
    if (!jwt) return { ok: false, message: 'CompactToken parsing failed with error code: 80049217' };
    if (!verifyHs256(jwt, this.key)) return { ok: false, message: 'Access token validation failure. Invalid signature.' };
    const p = jwt.payload;
    if (typeof p['aud'] !== 'string' || !this.isKnownResource(p['aud'])) {
      return { ok: false, message: 'Access token validation failure. Invalid audience.' };
    }
    if (p['tid'] !== this.opts.tenantId) return { ok: false, message: 'Access token validation failure. Invalid tenant.' };
    const exp = typeof p['exp'] === 'number' ? p['exp'] : 0;
    if (exp * 1000 <= this.now()) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    if (p['xms_emu_epoch'] !== this.epoch) {
      return { ok: false, message: 'Access token has been revoked (issued before the last revocation). Acquire a new token.' };
    }
    const roles = Array.isArray(p['roles']) ? p['roles'].filter((r): r is string => typeof r === 'string') : [];
    return { ok: true, claims: { appid: String(p['appid']), tid: String(p['tid']), roles, exp } };
  }
}
