/**
 * LDIF reader (RFC 2849) for exports made with `ldifde -f` (also `-u`, UTF-16) or `ldapsearch -LLL` / plain
 * `ldapsearch`. Streams: the file is read line by line and one record is held at a time.
 *
 * Handles `version: 1`, comments (also folded ones), folded lines (a continuation starts with one space),
 * `attr: text`, `attr:: base64`, `dn::`, attribute options (`thumbnailPhoto;binary::`), multi-valued attributes,
 * CRLF line ends, UTF-8/UTF-16 byte-order marks, ldifde's `changetype: add`, and ldapsearch's
 * `search:`/`result:` trailer. Values by URL (`attr:< file://…`) are not fetched.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { OnPremUser } from '../model.js';
import { DirectoryConfigError, DirectoryError, LdifSyntaxError } from './errors.js';
import { USER_ATTRIBUTES, mapEntry, type PhotoAttribute, type RawEntry, type RawValue } from './mapping.js';
import { matchesSelector, selectorGuidBytes, type DirectorySource, type UsersOptions } from './source.js';

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

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
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

/** Parses LDIF lines (without line ends) into records, one at a time. */
export async function* parseLdif(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<LdifRecord> {
  let draft: Draft | undefined;
  let seenRecord = false;
  let logical: string[] | undefined;
  let logicalLine = 0;
  let logicalIsComment = false;
  let lineNo = 0;

  const take = (text: string, at: number): void => {
    const colon = text.indexOf(':');
    draft ??= { line: at, attributes: new Map(), keys: new Set(), errors: [] };
    const d = draft;
    if (colon <= 0) {
      if (text === '-' && d.changetype !== undefined) return; // separator in change records
      d.errors.push(`line ${at}: expected "attribute: value", got ${JSON.stringify(text.slice(0, 40))}`);
      return;
    }
    const name = own(text.slice(0, colon).split(';')[0]?.trim() ?? '');
    const lower = name.toLowerCase();
    let rest = text.slice(colon + 1);
    let value: RawValue;
    if (rest.startsWith(':')) {
      rest = rest.slice(1).trim();
      if (!BASE64.test(rest)) {
        d.errors.push(`line ${at}: ${name} is not valid base64`);
        return;
      }
      value = Buffer.from(rest, 'base64');
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
    if (logical !== undefined && !logicalIsComment) take(logical.join(''), logicalLine);
    logical = undefined;
    logicalIsComment = false;
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

  for await (const raw of lines) {
    lineNo += 1;
    const physical = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (physical.startsWith(' ')) {
      if (logical === undefined) {
        throw new LdifSyntaxError(`line ${lineNo}: continuation line (starts with a space) with nothing to continue`, lineNo);
      }
      logical.push(physical.slice(1));
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
  }
  const rec = finishRecord();
  if (rec) yield rec;
}

/** Decodes a byte stream to text, honouring a UTF-8 or UTF-16 byte-order mark (ldifde -u writes UTF-16LE). */
export async function* decodeText(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<string> {
  let head = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  const pick = (b: Buffer): TextDecoder => {
    if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le');
    if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be');
    return new TextDecoder('utf-8'); // strips a UTF-8 BOM itself
  };
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (decoder !== undefined) {
      yield decoder.decode(buf, { stream: true });
      continue;
    }
    // Wait for three bytes to tell the encoding.
    head = Buffer.concat([head, buf]);
    if (head.length < 3) continue;
    decoder = pick(head);
    yield decoder.decode(head, { stream: true });
  }
  if (decoder === undefined) {
    decoder = pick(head);
    yield decoder.decode(head, { stream: true });
  }
  yield decoder.decode();
}

/** The lines of a text stream (CRLF or LF), via readline. */
export function streamLines(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncIterable<string> {
  return createInterface({ input: Readable.from(decodeText(input)), crlfDelay: Infinity });
}

/** Whether a record is a user account (AD: objectClass user, not computer). Records without objectClass count. */
export function isUserRecord(rec: LdifRecord): boolean {
  const classes: string[] = [];
  for (const [name, values] of rec.attributes) {
    if (name.toLowerCase() !== 'objectclass') continue;
    for (const v of values) classes.push((typeof v === 'string' ? v : v.toString('utf8')).trim().toLowerCase());
  }
  if (classes.length === 0) return true;
  return classes.includes('user') && !classes.includes('computer');
}

/** LDIF record → OnPremUser (record problems become readError). */
export function recordToUser(rec: LdifRecord, photoOrder?: readonly PhotoAttribute[]): OnPremUser {
  const entry: Record<string, RawValue | RawValue[]> = {};
  for (const [name, values] of rec.attributes) if (name.toLowerCase() !== 'dn') entry[name] = values;
  const user = mapEntry({ ...entry, dn: rec.dn } as RawEntry, { photoOrder });
  if (rec.errors.length > 0) user.readError = [...rec.errors, ...(user.readError ? [user.readError] : [])].join('; ');
  return user;
}

export interface LdifSourceOptions {
  /** The LDIF file. */
  file: string;
  photoOrder?: readonly PhotoAttribute[];
  /** Opens the file (tests may pass a stream factory). Default: fs.createReadStream. */
  open?: (file: string) => AsyncIterable<Buffer | string>;
}

/**
 * Users from an LDIF export. Each `users()` call reads the file again from the top. An export carries no
 * invocationId, so `since` is ignored (full read); `only` filters as the file is read.
 */
export class LdifDirectorySource implements DirectorySource {
  constructor(private readonly opts: LdifSourceOptions) {}

  users(opts: UsersOptions = {}): AsyncIterable<OnPremUser> {
    return this.stream(opts);
  }

  private async *stream(opts: UsersOptions): AsyncGenerator<OnPremUser> {
    const { file } = this.opts;
    if (opts.only?.by === 'objectGuid') selectorGuidBytes(opts.only.value); // a bad GUID fails before reading
    const open = this.opts.open ?? ((f: string) => createReadStream(f));
    try {
      for await (const rec of parseLdif(streamLines(open(file)))) {
        if (rec.changetype !== undefined && rec.changetype !== 'add') continue;
        if (!isUserRecord(rec)) continue;
        const user = recordToUser(rec, this.opts.photoOrder);
        if (opts.only !== undefined && !matchesSelector(user, opts.only)) continue;
        yield user;
      }
    } catch (err) {
      if (err instanceof LdifSyntaxError) throw new LdifSyntaxError(`${file}: ${err.message}`, err.line, { cause: err });
      if (err instanceof DirectoryError) throw err;
      throw new DirectoryConfigError(`Cannot read the LDIF file ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {}
}
