/**
 * HR photo folder: photos named after users, found by name pattern and overlaid on a directory source.
 *
 * Pattern syntax (matched against file names in one folder, case-insensitively, Unicode-normalised):
 *   {sAMAccountName}     the user's sAMAccountName          e.g. `{sAMAccountName}.jpg`  → jsmith.jpg
 *   {userPrincipalName}  the full UPN                        e.g. `{userPrincipalName}.{ext}` → j.smith@corp.com.png
 *   {upnPrefix}          the UPN before the `@`              e.g. `{upnPrefix}.jpg` → j.smith.jpg
 *   {mail}               the primary SMTP address
 *   {employeeID}         the employeeID attribute            e.g. `{employeeID}.*` → 004711.jpeg
 *   {objectGUID}         the canonical GUID string
 *   {ext}                one of the image extensions (default jpg, jpeg, png)
 *   *                    any run of characters (also none)
 * Token names are case-insensitive. A pattern needs at least one user token. Only files with an image
 * extension are considered at all, so `{employeeID}.*` never picks `004711.txt`.
 *
 * Best file: the first pattern (in the order given) that matches any file wins; among that pattern's
 * matches, the extension listed first wins, then the shorter name, then the alphabetically first.
 * A token the user has no value for makes that pattern not apply to that user.
 */
import { readdir as fsReaddir } from 'node:fs/promises';
import path from 'node:path';
import { readBounded } from '../files/bounded-read.js';
import { withKeyPrefix, type OnPremUser, type SourcePhoto } from '../model.js';
import { DirectoryConfigError, DirectoryConnectError, DirectoryError } from './errors.js';
import type { DirectorySource, UsersOptions } from './source.js';

/** The file system calls the folder source makes (tests may pass fakes). */
export interface FolderFs {
  /** File names in `dir` that are files (or links to files). */
  listFiles(dir: string): Promise<string[]>;
  /**
   * The file's bytes, refusing anything over `maxBytes`, anything that is not a regular file (device, FIFO,
   * socket) and links that lead outside `dir`. The error message never quotes the file's contents.
   */
  readFile(file: string, limits: { maxBytes: number; dir: string }): Promise<Buffer>;
}

export const nodeFolderFs: FolderFs = {
  async listFiles(dir) {
    const entries = await fsReaddir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  },
  readFile: (file, { maxBytes, dir }) => readBounded(file, { maxBytes, within: dir }),
};

export interface FolderPhotoOptions {
  dir: string;
  /** Name patterns, best first (syntax above). */
  patterns: readonly string[];
  /** Image extensions, preferred first. Default: jpg, jpeg, png. */
  extensions?: readonly string[];
  /** Files larger than this are an error for that user, not read. Default 25 MiB. */
  maxBytes?: number;
  fs?: FolderFs;
}

const TOKENS = {
  samaccountname: (u: OnPremUser) => u.sAMAccountName,
  userprincipalname: (u: OnPremUser) => u.userPrincipalName,
  upnprefix: (u: OnPremUser) => u.userPrincipalName?.split('@')[0],
  mail: (u: OnPremUser) => u.mail,
  employeeid: (u: OnPremUser) => u.employeeId,
  objectguid: (u: OnPremUser) => (u.objectGuid === '' ? undefined : u.objectGuid),
} as const satisfies Record<string, (u: OnPremUser) => string | undefined>;
type TokenName = keyof typeof TOKENS;

type Part = { kind: 'literal'; text: string } | { kind: 'token'; name: TokenName } | { kind: 'star' } | { kind: 'ext' };

export interface CompiledPattern {
  source: string;
  parts: Part[];
}

const norm = (s: string): string => s.normalize('NFC').toLowerCase();
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Parses one pattern; throws DirectoryConfigError saying what is wrong with it. */
export function compilePattern(pattern: string): CompiledPattern {
  const bad = (why: string): never => {
    throw new DirectoryConfigError(`photo folder pattern "${pattern}": ${why}`);
  };
  if (/[/\\]/.test(pattern)) bad('must be a file name, not a path');
  const parts: Part[] = [];
  let i = 0;
  let literal = '';
  const pushLiteral = (): void => {
    if (literal !== '') parts.push({ kind: 'literal', text: norm(literal) });
    literal = '';
  };
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) bad('"{" without "}"');
      const name = pattern.slice(i + 1, end).trim().toLowerCase();
      pushLiteral();
      if (name === 'ext') parts.push({ kind: 'ext' });
      else if (name in TOKENS) parts.push({ kind: 'token', name: name as TokenName });
      else bad(`unknown token {${pattern.slice(i + 1, end)}} (known: {sAMAccountName} {userPrincipalName} {upnPrefix} {mail} {employeeID} {objectGUID} {ext})`);
      i = end + 1;
    } else if (ch === '}') {
      bad('"}" without "{"');
    } else if (ch === '*') {
      pushLiteral();
      parts.push({ kind: 'star' });
      i += 1;
    } else {
      literal += ch;
      i += 1;
    }
  }
  pushLiteral();
  if (!parts.some((p) => p.kind === 'token')) bad('needs a user token such as {sAMAccountName}, or every user would get the same file');
  return { source: pattern, parts };
}

/** The pattern for one user as a regex plus its fixed leading text, or undefined if a token has no value. */
function forUser(p: CompiledPattern, user: OnPremUser, extAlt: string): { re: RegExp; prefix: string } | undefined {
  let re = '';
  let prefix = '';
  let fixed = true;
  for (const part of p.parts) {
    let text: string | undefined;
    if (part.kind === 'literal') text = part.text;
    else if (part.kind === 'token') {
      const v = TOKENS[part.name](user)?.trim();
      if (v === undefined || v === '' || /[/\\]/.test(v)) return undefined;
      text = norm(v);
    }
    if (text !== undefined) {
      re += reEscape(text);
      if (fixed) prefix += text;
    } else {
      fixed = false;
      re += part.kind === 'star' ? '.*' : `(?:${extAlt})`;
    }
  }
  return { re: new RegExp(`^${re}$`, 's'), prefix };
}

interface IndexedFile {
  name: string;
  key: string;
  ext: string;
}

/** Finds and reads HR photos in one folder. The folder is listed once, on first use; files are read per user. */
export class FolderPhotoSource {
  readonly dir: string;
  private readonly patterns: CompiledPattern[];
  private readonly extensions: string[];
  private readonly extAlt: string;
  private readonly maxBytes: number;
  private readonly fs: FolderFs;
  private index?: Promise<IndexedFile[]>;

  constructor(opts: FolderPhotoOptions) {
    if (opts.patterns.length === 0) throw new DirectoryConfigError('photo folder: give at least one name pattern, e.g. "{sAMAccountName}.jpg"');
    this.dir = opts.dir;
    this.patterns = opts.patterns.map(compilePattern);
    this.extensions = (opts.extensions ?? ['jpg', 'jpeg', 'png']).map((e) => norm(e.replace(/^\./, '')));
    this.extAlt = this.extensions.map(reEscape).join('|');
    this.maxBytes = opts.maxBytes ?? 25 * 1024 * 1024;
    this.fs = opts.fs ?? nodeFolderFs;
  }

  private files(): Promise<IndexedFile[]> {
    this.index ??= this.fs.listFiles(this.dir).then(
      (names) =>
        names
          .map((name) => {
            const key = norm(name);
            return { name, key, ext: key.includes('.') ? key.slice(key.lastIndexOf('.') + 1) : '' };
          })
          .filter((f) => this.extensions.includes(f.ext))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      (err: unknown) => {
        throw new DirectoryConnectError('unreachable', `Cannot list the photo folder ${this.dir}: ${(err as Error).message}`, { cause: err });
      },
    );
    return this.index;
  }

  /** The best file name (within `dir`) for `user`, or undefined. */
  async findFile(user: OnPremUser): Promise<string | undefined> {
    const files = await this.files();
    for (const p of this.patterns) {
      const m = forUser(p, user, this.extAlt);
      if (!m) continue;
      const hits = withKeyPrefix(files, m.prefix).filter((f) => m.re.test(f.key));
      if (hits.length === 0) continue;
      hits.sort(
        (a, b) =>
          this.extensions.indexOf(a.ext) - this.extensions.indexOf(b.ext) ||
          a.key.length - b.key.length ||
          (a.key < b.key ? -1 : 1),
      );
      return hits[0]?.name;
    }
    return undefined;
  }

  /** Reads the best file's bytes. Listing failures throw as they are; a file that cannot be read throws FolderReadError. */
  async readPhoto(user: OnPremUser): Promise<SourcePhoto | undefined> {
    const name = await this.findFile(user);
    if (name === undefined) return undefined;
    const file = path.join(this.dir, name);
    try {
      return { origin: `folder:${name}`, bytes: await this.fs.readFile(file, { maxBytes: this.maxBytes, dir: this.dir }) };
    } catch (err) {
      const why = (err as Error).message.replace(file, 'it');
      throw new FolderReadError(`cannot read HR photo ${file}: ${why}`, file, { cause: err });
    }
  }
}

/** One HR photo file could not be read (the user gets a readError; the run goes on). */
export class FolderReadError extends DirectoryError {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FolderReadError';
  }
}


/**
 * Overlays HR photos on a directory source's users: where the folder has a file for a user, it replaces the
 * directory photo (origin `folder:<file>`). Files are read one user at a time, as the users stream past.
 * An unreadable file sets the user's readError and keeps the directory photo (so nothing downstream mistakes
 * the user for one without a photo); the run goes on.
 */
export function withFolderPhotos(source: DirectorySource, folder: FolderPhotoSource): DirectorySource {
  async function* overlay(opts?: UsersOptions): AsyncGenerator<OnPremUser> {
    for await (const user of source.users(opts)) {
      let out = user;
      try {
        const photo = await folder.readPhoto(user);
        if (photo) out = { ...user, photo };
      } catch (err) {
        if (!(err instanceof FolderReadError)) throw err; // the folder itself is unusable: stop
        out = { ...user, readError: user.readError ? `${user.readError}; ${err.message}` : err.message };
      }
      yield out;
    }
  }
  const wrapped: DirectorySource = { users: (opts) => overlay(opts), close: () => source.close() };
  const mark = source.directoryMark?.bind(source);
  if (mark) wrapped.directoryMark = mark;
  return wrapped;
}
