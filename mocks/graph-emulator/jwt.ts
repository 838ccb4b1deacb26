/** Minimal JWT helpers on node:crypto: HS256 for the emulator's own tokens, RS256/PS256 verification for client assertions. */
import { constants, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Parse a compact JWS without verifying it; null when it is not one. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return null;
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return null;
  }
}

export function signHs256(payload: Record<string, unknown>, key: Buffer): string {
  const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(createHmac('sha256', key).update(input).digest())}`;
}

export function verifyHs256(jwt: DecodedJwt, key: Buffer): boolean {
  if (jwt.header['alg'] !== 'HS256') return false;
  const expected = createHmac('sha256', key).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

/** Verify an RS256 or PS256 signature with the public key of a certificate (or a public key) PEM. */
export function verifyRsaJwt(jwt: DecodedJwt, publicPem: string | KeyObject): boolean {
  const key = typeof publicPem === 'string' ? createPublicKey(publicPem) : publicPem;
  const data = Buffer.from(jwt.signingInput);
  switch (jwt.header['alg']) {
    case 'RS256':
      return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, jwt.signature);
    case 'PS256':
      return verify(
        'sha256',
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        jwt.signature,
      );
    default:
      return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
