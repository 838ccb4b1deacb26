/**
 * LDIF reader (RFC 2849) for exports made with `ldifde -f` (also `-u`, UTF-16) or `ldapsearch -LLL` / plain
 * `ldapsearch`. Streams: the file is read line by line and one record is held at a time.
 *
 * Handles `version: 1`, comments (also folded ones), folded lines (a continuation starts with one space),
 * `attr: text`, `attr:: base64`, `dn::`, attribute options (`thumbnailPhoto;binary::`), multi-valued attributes,
 * CRLF line ends, UTF-8/UTF-16 byte-order marks, ldifde's `changetype: add`, and ldapsearch's
 * `search:`/`result:` trailer. Values by URL (`attr:< file://…`) are not fetched.
 */
import { openRegularFile, withIdleTimeout, DEFAULT_READ_TIMEOUT_MS } from '../files/bounded-read.js';
import type { OnPremUser } from '../model.js';
import { DirectoryConfigError, DirectoryError, LdifSyntaxError } from './errors.js';
import { streamLines } from './ldif-lines.js';
import { LDIF_MAX_VALUE_BYTES, maxLineChars, parseLdif, type LdifRecord } from './ldif-parse.js';
import { mapEntry, type PhotoAttribute, type RawEntry, type RawValue } from './mapping.js';
import { matchesSelector, selectorGuidBytes, type DirectorySource, type UsersOptions } from './source.js';

export { decodeText, streamLines } from './ldif-lines.js';
export { LDIF_MAX_VALUE_BYTES, isBase64, parseLdif } from './ldif-parse.js';
export type { LdifRecord, ParseLdifOptions } from './ldif-parse.js';

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
  /** Opens the file (tests may pass a stream factory). Default: the file, if it is a regular file, read in chunks. */
  open?: (file: string) => AsyncIterable<Buffer | string>;
  /** Largest value (decoded bytes) read; a longer one is an error for its user. Default {@link LDIF_MAX_VALUE_BYTES}. */
  maxValueBytes?: number;
  /** The read fails when no data arrives for this long (a hung share). Default 30 s. */
  idleTimeoutMs?: number;
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
    const open = this.opts.open ?? openLdif;
    const maxValueBytes = this.opts.maxValueBytes ?? LDIF_MAX_VALUE_BYTES;
    const idle = this.opts.idleTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    try {
      const lines = streamLines(withIdleTimeout(open(file), idle, file), maxLineChars(maxValueBytes));
      for await (const rec of parseLdif(lines, { maxValueBytes })) {
        if (rec.changetype !== undefined && rec.changetype !== 'add') continue;
        if (!isUserRecord(rec)) continue;
        const user = recordToUser(rec, this.opts.photoOrder);
        if (opts.only !== undefined && !matchesSelector(user, opts.only)) continue;
        yield user;
      }
    } catch (err) {
      if (err instanceof LdifSyntaxError) throw new LdifSyntaxError(`${file}: ${err.message}`, err.line, { cause: err });
      if (err instanceof DirectoryError) throw err;
      throw new DirectoryConfigError(`Cannot read the LDIF file ${file}: ${(err as Error).message.replace(file, 'it')}`, { cause: err });
    }
  }

  async close(): Promise<void> {}
}

/** The LDIF file's bytes in chunks, if it is a regular file (not a device or FIFO); closed when iteration ends. */
async function* openLdif(file: string): AsyncGenerator<Buffer> {
  const { handle } = await openRegularFile(file);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: 256 * 1024 })) yield chunk as Buffer;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
