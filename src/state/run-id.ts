/**
 * Run ids: ULID-shaped (26 characters of Crockford base32: 48-bit millisecond time, then 80 random bits),
 * so they sort by start time as plain strings.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TIME = 2 ** 48 - 1;
const RANDOM_BITS = 80n;

function encode(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function randomPart(randomBytes: (size: number) => Buffer): bigint {
  const bytes = randomBytes(10);
  if (bytes.length < 10) throw new RangeError('randomBytes returned fewer than 10 bytes');
  return BigInt(`0x${bytes.subarray(0, 10).toString('hex')}`);
}

function timeOf(at: Date): number {
  const ms = at.getTime();
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIME) throw new RangeError(`cannot make a run id for time ${String(at)}`);
  return ms;
}

/** A fresh run id for the given time. */
export function newRunId(at: Date = new Date(), randomBytes: (size: number) => Buffer = cryptoRandomBytes): string {
  return encode(BigInt(timeOf(at)), 10) + encode(randomPart(randomBytes), 16);
}

/**
 * A run id maker whose ids strictly increase even when the clock stands still or steps back: within the same
 * (or an earlier) millisecond it increments the previous random part. One per store; no shared state.
 */
export function runIdFactory(now: () => Date, randomBytes: (size: number) => Buffer = cryptoRandomBytes): () => string {
  let lastTime = -1;
  let lastRandom = 0n;
  return () => {
    const time = timeOf(now());
    if (time <= lastTime && lastRandom < (1n << RANDOM_BITS) - 1n) {
      lastRandom += 1n;
    } else {
      lastTime = Math.max(time, lastTime + (time <= lastTime ? 1 : 0));
      lastRandom = randomPart(randomBytes);
    }
    return encode(BigInt(lastTime), 10) + encode(lastRandom, 16);
  };
}

/** Whether a string looks like a run id (26 Crockford base32 characters). */
export function isRunId(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}
