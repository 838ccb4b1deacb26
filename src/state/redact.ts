/**
 * Keeping secrets and photo bytes out of what the state layer writes down (runs table, lastError, audit log).
 * Pure functions.
 */

/** Option keys whose values are never stored. */
const SECRET_KEY = /(secret|passw(or)?d|^pwd$|token|credential|private.?key|api.?key|authorization|cookie|connection.?string)/i;

/** Longest text field we keep. */
export const MAX_TEXT = 2000;

/**
 * Scrub one free-text value (an error message, a reason): bearer tokens, JWTs, `secret=…`-style pairs,
 * data: URIs and long base64 runs (photo bytes) are replaced by placeholders; the result is at most
 * `max` characters.
 */
export function scrubText(text: string, max = MAX_TEXT): string {
  let out = text
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[jwt redacted]')
    .replace(
      /\b(client_secret|client_assertion|password|passwd|pwd|access_token|refresh_token|secret)(\s*[=:]\s*)("?)[^\s"&,;]+\3/gi,
      '$1$2$3[redacted]$3',
    )
    .replace(/data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+/g, (m) => `[data uri removed, ${m.length} chars]`)
    .replace(/[A-Za-z0-9+/]{120,}={0,2}/g, (m) => `[base64 removed, ${m.length} chars]`);
  if (out.length > max) out = `${out.slice(0, max - 1)}…`;
  return out;
}

/**
 * A copy of an options object fit to store: values under secret-looking keys become '[redacted]', binary
 * values are summarised, bigints become strings, functions are dropped. Cycles become '[circular]'.
 */
export function redactOptions(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol') return undefined;
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date) return v.toISOString();
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      return `[binary, ${(v as ArrayBufferLike).byteLength} bytes]`;
    }
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return walk(Object.fromEntries(v));
    if (v instanceof Set) return [...v].map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) {
      const w = SECRET_KEY.test(k) && inner !== undefined && inner !== null && inner !== '' ? '[redacted]' : walk(inner);
      if (w !== undefined) out[k] = w;
    }
    return out;
  };
  return walk(value);
}

/** JSON text for a stored value (options, summaries): redacted as above, bigint-safe. */
export function toStoredJson(value: unknown): string {
  return JSON.stringify(redactOptions(value) ?? null);
}
