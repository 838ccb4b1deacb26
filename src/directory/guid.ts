/**
 * Active Directory objectGUID conversions.
 *
 * AD stores objectGUID as 16 raw bytes in Microsoft's mixed-endian GUID layout: the first three groups
 * (Data1 uint32, Data2 uint16, Data3 uint16) are little-endian, the last 8 bytes are in order. The canonical
 * string `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` prints Data1..Data3 big-endian, so those bytes are reversed.
 * Entra Connect's default sourceAnchor (onPremisesImmutableId) is base64 of the 16 bytes as stored.
 */

import { HpsError, type ErrorKind } from '../errors.js';
import { IMMUTABLE_ID_PATTERN } from '../model.js';

/** Thrown for input that is not a GUID (wrong length, bad hex, bad base64). */
export class InvalidGuidError extends HpsError {
  override readonly kind: ErrorKind = 'config';
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** Byte order of the stored GUID, indexed by position in the canonical string's hex digits (pairs). */
const STRING_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;

function hexPair(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Stored objectGUID bytes (16) → canonical lower-case string. */
export function guidBytesToString(buf: Uint8Array): string {
  if (buf.length !== 16) throw new InvalidGuidError(`objectGUID must be 16 bytes, got ${buf.length}`);
  const hex = STRING_ORDER.map((i) => hexPair(buf[i] as number)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Canonical string (braces optional, any case) → the 16 bytes as AD stores them. */
export function guidStringToBytes(s: string): Buffer {
  const m = GUID_RE.exec(s.trim());
  if (!m) throw new InvalidGuidError(`not a GUID string: ${JSON.stringify(s)}`);
  const hex = m.slice(1).join('');
  const out = Buffer.alloc(16);
  STRING_ORDER.forEach((byteIndex, pos) => {
    out[byteIndex] = parseInt(hex.slice(pos * 2, pos * 2 + 2), 16);
  });
  return out;
}

/** objectGUID (stored bytes or canonical string) → onPremisesImmutableId (base64 of the stored bytes). */
export function guidToImmutableId(guid: Uint8Array | string): string {
  const bytes = typeof guid === 'string' ? guidStringToBytes(guid) : Buffer.from(guid);
  if (bytes.length !== 16) throw new InvalidGuidError(`objectGUID must be 16 bytes, got ${bytes.length}`);
  return bytes.toString('base64');
}

/** onPremisesImmutableId (base64 of 16 bytes) → canonical GUID string. */
export function immutableIdToGuid(s: string): string {
  const trimmed = s.trim();
  if (!IMMUTABLE_ID_PATTERN.test(trimmed)) {
    throw new InvalidGuidError(`not a GUID-based immutableId (base64 of 16 bytes): ${JSON.stringify(s)}`);
  }
  return guidBytesToString(Buffer.from(trimmed, 'base64'));
}
