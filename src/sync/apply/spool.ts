/**
 * Normalised JPEGs waiting to be written. The first 4 MB stay in memory (a small plan, or the first part of
 * a large one, costs no file at all: opening, writing and reading back a file is a fraction of a millisecond of the
 * main thread for each photo); the rest go to a private temp folder, so that a plan for thousands of users does not
 * hold their photos in memory. Files are 0600 in a 0700 folder and removed on dispose. A run that was killed cannot
 * dispose: the next spool removes folders whose owning process is gone.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhotoPrint } from '../../model.js';
import { isPidAlive } from '../../state/lock.js';

export interface SpooledPhoto {
  jpeg: Buffer;
  /** Fingerprint of the normalised JPEG (what we push), recorded in state after a successful write. */
  print: PhotoPrint;
}

export interface PhotoSpool {
  /** The private folder (0700) holding the files. */
  readonly dir: string;
  put(key: string, photo: SpooledPhoto): Promise<void>;
  get(key: string): Promise<SpooledPhoto>;
  has(key: string): boolean;
  dispose(): Promise<void>;
}

const PREFIX = 'hps-spool-';
/**
 * Bytes of photos kept in memory before the spool writes files: about 50 full-size uploads or 500 AD thumbnails, so
 * a small plan needs no file at all, and a large one adds at most this to the run's peak memory.
 */
export const SPOOL_MEMORY_BYTES = 4 * 1024 * 1024;
const OWNER = 'owner.pid';

/** Removes spool folders in `parent` left by processes that no longer run. Best effort: errors are ignored. */
export async function sweepStaleSpools(parent: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const dir = join(parent, name);
    const pid = Number((await readFile(join(dir, OWNER), 'utf8').catch(() => '')).trim());
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isPidAlive(pid)) continue;
    await rm(dir, { recursive: true, force: true }).then(() => removed.push(dir), () => undefined);
  }
  return removed;
}

export async function createPhotoSpool(parent: string = tmpdir(), memoryBytes = SPOOL_MEMORY_BYTES): Promise<PhotoSpool> {
  await sweepStaleSpools(parent);
  const dir = await mkdtemp(join(parent, PREFIX));
  await writeFile(join(dir, OWNER), `${process.pid}\n`, { mode: 0o600 });
  const prints = new Map<string, { file: string; print: PhotoPrint } | SpooledPhoto>();
  let inMemory = 0;
  let n = 0;
  return {
    dir,
    async put(key, photo) {
      const old = prints.get(key);
      if (old && 'jpeg' in old) inMemory -= old.jpeg.length;
      if (inMemory + photo.jpeg.length <= memoryBytes) {
        inMemory += photo.jpeg.length;
        prints.set(key, photo);
        return;
      }
      n += 1;
      const file = join(dir, `${n}.jpg`); // generated names: user data never reaches a path
      await writeFile(file, photo.jpeg, { mode: 0o600 });
      prints.set(key, { file, print: photo.print });
    },
    async get(key) {
      const entry = prints.get(key);
      if (!entry) throw new Error(`no spooled photo for ${key}`);
      if ('jpeg' in entry) return entry;
      return { jpeg: await readFile(entry.file), print: entry.print };
    },
    has: (key) => prints.has(key),
    async dispose() {
      prints.clear();
      inMemory = 0;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
