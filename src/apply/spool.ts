/**
 * Normalised JPEGs waiting to be written, kept on disk in a private temp folder so that a plan for thousands
 * of users does not hold their photos in memory. Files are 0600 in a 0700 folder and removed on dispose.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhotoPrint } from '../model.js';

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

export async function createPhotoSpool(parent: string = tmpdir()): Promise<PhotoSpool> {
  const dir = await mkdtemp(join(parent, 'hps-spool-'));
  const prints = new Map<string, { file: string; print: PhotoPrint }>();
  let n = 0;
  return {
    dir,
    async put(key, photo) {
      n += 1;
      const file = join(dir, `${n}.jpg`); // generated names: user data never reaches a path
      await writeFile(file, photo.jpeg, { mode: 0o600 });
      prints.set(key, { file, print: photo.print });
    },
    async get(key) {
      const entry = prints.get(key);
      if (!entry) throw new Error(`no spooled photo for ${key}`);
      return { jpeg: await readFile(entry.file), print: entry.print };
    },
    has: (key) => prints.has(key),
    async dispose() {
      prints.clear();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
