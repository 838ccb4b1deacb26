/**
 * LDIF parsing (RFC 2849): lines → records, one record held at a time, each value bounded (see LDIF_MAX_VALUE_BYTES).
 */
import { LdifSyntaxError } from './errors.js';
import type { LineBatch, OverlongLine } from './ldif-lines.js';
import { MAX_PHOTO_VALUE_BYTES, USER_ATTRIBUTES, type RawValue } from './mapping.js';

/**
 * Largest attribute value read from an LDIF file, decoded (the HR folder's file limit: a camera original fits). A
 * longer value is an error for its record only; the reader never holds more than about this much of one line.
 */
export const LDIF_MAX_VALUE_BYTES = MAX_PHOTO_VALUE_BYTES;
/** The longest logical line that can carry a value of `maxValueBytes` (base64, plus the attribute name). */
export const maxLineChars = (maxValueBytes: number): number => Math.ceil(maxValueBytes / 3) * 4 + 1024;

export interface ParseLdifOptions {
  /** Default {@link LDIF_MAX_VALUE_BYTES}. */
  maxValueBytes?: number;
}

/** One LDIF record. Attribute names keep the file's spelling, options (`;binary`) removed. */
export interface LdifRecord {
  dn: string;
  /** 1-based line where the record starts. */
  line: number;
  changetype?: string;
  attributes: Map<string, RawValue[]>;
  /** Problems confined to this record (bad base64, a line without a colon…). */
  errors: string[];
}

/**
 * `s` decoded when it is canonical base64 (length a multiple of 4, padding only at the end, the standard alphabet),
 * else undefined. Decoded first, judged after: Node's decoder skips any character outside the alphabet and stops at
 * padding, so a value is canonical exactly when nothing was skipped, i.e. the bytes are as many as its length says.
 * Only the URL-safe letters, which the decoder also takes, need a look of their own. Linear, no regex stack (a
 * 12 MiB value), and one pass fewer than checking first (0.4 s of a 10,000-user read).
 */
export function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || s.includes('-') || s.includes('_')) return undefined;
  const bytes = Buffer.from(s, 'base64');
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return bytes.length === (s.length / 4) * 3 - padding ? bytes : undefined;
}

/** Whether `s` is canonical base64 (see decodeBase64). */
export function isBase64(s: string): boolean {
  return decodeBase64(s) !== undefined;
}
/** Records without a dn that ldapsearch writes: search references (`ref:`) and result trailers (paged: `control:`). */
const TRAILER_KEYS = new Set(['search', 'result', 'ref', 'control']);
const MAPPED = new Set<string>(USER_ATTRIBUTES.map((a) => a.toLowerCase()));

interface Draft {
  line: number;
  dn?: string;
  changetype?: string;
  attributes: Map<string, RawValue[]>;
  keys: Set<string>;
  errors: string[];
}

/**
 * A copy of `s` that does not share memory with the string it was cut from. V8 keeps a slice's parent
 * alive, and readline's lines are slices of 64 KB chunks: without this a 10,000-user file stays in memory.
 */
function own(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf8').toString('utf8');
}

function asBatch(item: string | OverlongLine | LineBatch): LineBatch {
  return Array.isArray(item) ? (item as LineBatch) : [item as string | OverlongLine];
}

/** Parses LDIF lines (without line ends), one at a time or in batches (ldif-lines.ts), into records, one at a time. */
export async function* parseLdif(
  lines: AsyncIterable<string | OverlongLine | LineBatch> | Iterable<string | OverlongLine | LineBatch>,
  opts: ParseLdifOptions = {},
): AsyncGenerator<LdifRecord> {
  const maxValueBytes = opts.maxValueBytes ?? LDIF_MAX_VALUE_BYTES;
  const maxChars = maxLineChars(maxValueBytes);
  /** Characters in the logical line so far; over maxChars, its parts are dropped and only the start is kept. */
  let logicalChars = 0;
  let logicalOverlong = false;
  let draft: Draft | undefined;
  let seenRecord = false;
  let logical: string[] | undefined;
  let logicalLine = 0;
  let logicalIsComment = false;
  let lineNo = 0;
  // A file names the same few attributes over and over: each spelling is copied out of its chunk once.
  const names = new Map<string, string>();
  const attributeName = (raw: string): string => {
    let name = names.get(raw);
    if (name === undefined) {
      name = own(raw.split(';')[0]?.trim() ?? '');
      if (names.size < 1024) names.set(own(raw), name);
    }
    return name;
  };

  const take = (text: string, at: number): void => {
    const colon = text.indexOf(':');
    draft ??= { line: at, attributes: new Map(), keys: new Set(), errors: [] };
    const d = draft;
    if (colon <= 0) {
      if (text === '-' && d.changetype !== undefined) return; // separator in change records
      d.errors.push(`line ${at}: expected "attribute: value", got ${JSON.stringify(text.slice(0, 40))}`);
      return;
    }
    const name = attributeName(text.slice(0, colon));
    const lower = name.toLowerCase();
    let rest = text.slice(colon + 1);
    let value: RawValue;
    if (rest.startsWith(':')) {
      rest = rest.slice(1).trim();
      const decoded = decodeBase64(rest);
      if (!decoded) {
        d.errors.push(`line ${at}: ${name} is not valid base64`);
        return;
      }
      value = decoded;
    } else if (rest.startsWith('<')) {
      if (MAPPED.has(lower)) d.errors.push(`line ${at}: ${name} is given by URL (${rest.slice(1).trim()}), which is not supported`);
      return;
    } else {
      value = own(rest.replace(/^ +/, ''));
    }
    if (d.dn === undefined && d.keys.size === 0) {
      if (lower === 'version' && !seenRecord) return;
      if (lower === 'dn') {
        d.line = at;
        d.dn = typeof value === 'string' ? value : value.toString('utf8');
        return;
      }
    }
    d.keys.add(lower);
    if (lower === 'changetype' && d.dn !== undefined) {
      d.changetype = (typeof value === 'string' ? value : value.toString('utf8')).trim().toLowerCase();
      return;
    }
    const list = d.attributes.get(name);
    if (list) list.push(value);
    else d.attributes.set(name, [value]);
  };

  const flushLogical = (): void => {
    if (logical !== undefined && !logicalIsComment) {
      if (logicalOverlong) tooLong(logical[0] ?? '', logicalLine);
      else take(logical.join(''), logicalLine);
    }
    logical = undefined;
    logicalIsComment = false;
    logicalOverlong = false;
    logicalChars = 0;
  };

  const tooLong = (head: string, at: number): void => {
    draft ??= { line: at, attributes: new Map(), keys: new Set(), errors: [] };
    const name = own(head.slice(0, Math.max(0, head.indexOf(':'))).split(';')[0]?.trim() ?? '') || 'a value';
    const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MiB`;
    draft.errors.push(`line ${at}: ${name} is larger than the ${mib(maxValueBytes)} limit for one value (about ${mib((logicalChars * 3) / 4)}); not read`);
    draft.keys.add(name.toLowerCase());
  };

  const finishRecord = (): LdifRecord | undefined => {
    flushLogical();
    const d = draft;
    draft = undefined;
    if (d === undefined) return undefined;
    seenRecord = true;
    if (d.dn === undefined) {
      if (d.errors.length === 0 && [...d.keys].every((k) => TRAILER_KEYS.has(k))) {
        return undefined; // only `version: 1`, or ldapsearch's search reference / result trailer
      }
      throw new LdifSyntaxError(`line ${d.line}: this record does not start with "dn:" — is the file LDIF?`, d.line);
    }
    return {
      dn: d.dn,
      line: d.line,
      attributes: d.attributes,
      errors: d.errors,
      ...(d.changetype !== undefined ? { changetype: d.changetype } : {}),
    };
  };

  for await (const item of lines) {
    for (const raw of asBatch(item)) {
      lineNo += 1;
      const over = typeof raw !== 'string';
      const text = over ? raw.head : raw;
      const physical = !over && text.endsWith('\r') ? text.slice(0, -1) : text;
      const length = over ? raw.length : physical.length;
      if (physical.startsWith(' ')) {
        if (logical === undefined) {
          throw new LdifSyntaxError(`line ${lineNo}: continuation line (starts with a space) with nothing to continue`, lineNo);
        }
        logicalChars += length - 1;
        if (!logicalOverlong && (over || logicalChars > maxChars)) {
          logicalOverlong = true;
          logical = [logical[0] ?? ''];
        }
        if (!logicalOverlong) logical.push(physical.slice(1));
        continue;
      }
      flushLogical();
      if (physical === '') {
        const rec = finishRecord();
        if (rec) yield rec;
        continue;
      }
      logical = [physical];
      logicalLine = lineNo;
      logicalIsComment = physical.startsWith('#');
      logicalChars = length;
      logicalOverlong = over;
    }
  }
  const rec = finishRecord();
  if (rec) yield rec;
}
