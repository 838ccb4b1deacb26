/**
 * The one way hybrid-photo-sync reads a file it did not write (HR photos, `compare` inputs, the config, certificate
 * and CA files, LDIF exports). A careless share or a hostile directory can put anything behind a name, so:
 *
 * - only regular files: devices (`/dev/zero`), FIFOs, sockets and folders are refused by type, checked before
 *   opening and again on the open descriptor (opened with O_NONBLOCK, so a FIFO swapped in between cannot block);
 * - a size cap that does not trust `stat`: at most `maxBytes + 1` bytes are ever read, so a file that grows, or
 *   a special file that claims 0 bytes, still stops at the cap;
 * - optionally confined to a folder: the file's real path (links resolved) must lie inside it;
 * - a time bound for the whole read (a hung network share cannot hold the run).
 *
 * Why hand-written: Node's readFile trusts the size it stats (0 for devices, then reads to EOF) and has no type,
 * folder or time checks; no small, maintained package does these four things together.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { relative, isAbsolute, sep } from 'node:path';
import { BoundedReadError } from './errors.js';
import { within } from './time-bound.js';

export { BOUNDED_READ_CODES, BoundedReadError, type BoundedReadCode } from './errors.js';
export { withIdleTimeout } from './time-bound.js';

export interface BoundedReadOptions {
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
  /** The whole read must finish within this. Default {@link DEFAULT_READ_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** When set, the file's real path (symbolic links resolved) must be inside this folder. */
  within?: string;
}

export const DEFAULT_READ_TIMEOUT_MS = 30_000;
/** Certificate, key and CA files: a few kilobytes each; a whole CA bundle is about 200 KB. */
export const PEM_MAX_BYTES = 1024 * 1024;
const CHUNK = 64 * 1024;

/** What kind of non-file this is, in the words an admin would use. */
export function describeType(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function ioError(file: string, err: unknown): BoundedReadError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new BoundedReadError('not-found', `${file} does not exist`, { cause: err });
  if (code === 'ENXIO') return new BoundedReadError('not-a-file', `${file} is a socket or device, not a file`, { cause: err });
  return new BoundedReadError('io', `cannot read ${file}: ${code ?? (err as Error).message}`, { cause: err });
}

/** Whether `child` (a resolved path) lies inside folder `parent` (a resolved path). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Opens `file` for reading if it is a regular file (and inside `within`): the checks above, without reading.
 * The caller owns the returned handle. Used by {@link readBounded} and by the streaming LDIF reader.
 */
export async function openRegularFile(file: string, within?: string): Promise<{ handle: FileHandle; size: number }> {
  let target = file;
  if (within !== undefined) {
    let real: string;
    let folder: string;
    try {
      [real, folder] = await Promise.all([realpath(file), realpath(within)]);
    } catch (err) {
      throw ioError(file, err);
    }
    if (!isInside(folder, real)) {
      throw new BoundedReadError('outside-folder', `${file} points outside the folder ${within} (to ${real}); links out of the folder are not followed`);
    }
    target = real;
  }
  let before: Stats;
  try {
    before = await stat(target);
  } catch (err) {
    throw ioError(file, err);
  }
  if (!before.isFile()) throw new BoundedReadError('not-a-file', `${file} is ${describeType(before)}, not a regular file`);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: if a FIFO was swapped in after the stat, open returns at once instead of waiting for a writer.
    handle = await open(target, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    throw ioError(file, err);
  }
  const after = await handle.stat().catch(async (err: unknown) => {
    await handle.close().catch(() => undefined);
    throw ioError(file, err);
  });
  if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
    await handle.close().catch(() => undefined);
    throw new BoundedReadError('not-a-file', `${file} is ${after.isFile() ? 'changing while being read' : describeType(after)}, not a regular file`);
  }
  return { handle, size: after.size };
}

function tooLarge(file: string, maxBytes: number, seen: string): BoundedReadError {
  return new BoundedReadError('too-large', `${file} is larger than the limit of ${maxBytes} bytes (${seen})`);
}

/** Reads a whole regular file of at most `maxBytes` bytes, within the bounds above. Throws {@link BoundedReadError}. */
export async function readBounded(file: string, opts: BoundedReadOptions): Promise<Buffer> {
  const { maxBytes } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  let handle: FileHandle | undefined;
  let closeLater = false;
  const work = (async () => {
    const opened = await openRegularFile(file, opts.within);
    handle = opened.handle;
    if (opened.size > maxBytes) throw tooLarge(file, maxBytes, `${opened.size} bytes`);
    const parts: Buffer[] = [];
    let total = 0;
    // Read until EOF or one byte past the cap, whatever stat said.
    while (total <= maxBytes) {
      const want = Math.min(CHUNK, maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      let n: number;
      try {
        ({ bytesRead: n } = await opened.handle.read(buf, 0, want, null));
      } catch (err) {
        throw ioError(file, err);
      }
      if (n === 0) break;
      parts.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    if (total > maxBytes) throw tooLarge(file, maxBytes, 'it kept growing past the limit while being read');
    return Buffer.concat(parts, total);
  })();
  try {
    return await within(work, timeoutMs, file, () => {
      if (closeLater) void handle?.close().catch(() => undefined);
    });
  } catch (err) {
    if (err instanceof BoundedReadError && err.code === 'timeout') closeLater = true;
    throw err;
  } finally {
    if (!closeLater) await handle?.close().catch(() => undefined);
  }
}

/** {@link readBounded} as UTF-8 text, a leading byte-order mark removed (Notepad and PowerShell 5.1 write one). */
export async function readBoundedText(file: string, opts: BoundedReadOptions): Promise<string> {
  const text = (await readBounded(file, opts)).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

