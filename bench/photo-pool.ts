/**
 * A modest pool of distinct pictures for the synthetic tenant: each picture once as a cloud photo (648 px JPEG,
 * what Microsoft 365 keeps) and as on-prem thumbnails (96/144/240 px, ≤ ~12 KB, what AD holds). Many users share
 * a picture; making 10,000 distinct JPEGs would take minutes. The pool is cached on disk, keyed by the generator's
 * source and the pool's parameters, so only the first run pays for it (~10 s for 200 pictures on 2 cores).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { createPhotoGenerator } from '../mocks/fixtures/photos/generate.js';
import { THUMB_SIDES, type ThumbSide } from './mix.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const GENERATOR_SOURCE = join(HERE, '..', 'mocks', 'fixtures', 'photos', 'generate.ts');
/** Bump when the way pictures are made here changes. */
const POOL_FORMAT = 1;
const CLOUD_SIDE = 648;
const CLOUD_QUALITY = 80;
const THUMB_QUALITY = 82;

export interface PhotoPool {
  size: number;
  dir: string;
  /** Absolute path of picture k as a cloud photo. */
  cloudPath(k: number): string;
  /** Size in bytes of picture k as a cloud photo. */
  cloudBytes(k: number): number;
  /** Picture k as an on-prem thumbnail of the given side. */
  thumbnail(k: number, side: ThumbSide): Buffer;
  /** A truncated JPEG (what a broken HR export leaves in thumbnailPhoto). */
  corrupt(k: number): Buffer;
  /** Whether this call made the pool (false: it came from the cache). */
  generated: boolean;
  generateMs: number;
}

export interface PoolOptions {
  size: number;
  /** Cache root; default `<tmpdir>/hps-bench-pool`. */
  cacheRoot?: string;
  concurrency?: number;
}

async function poolKey(size: number): Promise<string> {
  const source = await readFile(GENERATOR_SOURCE);
  return createHash('sha256').update(`format ${POOL_FORMAT}\nsize ${size}\n`).update(source).digest('hex').slice(0, 16);
}

const thumbName = (k: number, side: number): string => `thumb-${String(k).padStart(4, '0')}-${side}.jpg`;
const cloudName = (k: number): string => `cloud-${String(k).padStart(4, '0')}.jpg`;

async function makePicture(dir: string, k: number, generator: ReturnType<typeof createPhotoGenerator>): Promise<void> {
  const cloud = await generator.photo(k, { size: CLOUD_SIDE, quality: CLOUD_QUALITY });
  await writeFile(join(dir, cloudName(k)), cloud);
  for (const side of THUMB_SIDES) {
    const thumb = await sharp(cloud).resize(side, side).jpeg({ quality: THUMB_QUALITY }).toBuffer();
    await writeFile(join(dir, thumbName(k, side)), thumb);
  }
}

/** Loads the pool from the cache, making it first when needed. */
export async function loadPhotoPool(opts: PoolOptions): Promise<PhotoPool> {
  const { size } = opts;
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`pool size must be an integer ≥ 2, got ${size}`);
  const root = opts.cacheRoot ?? join(tmpdir(), 'hps-bench-pool');
  const dir = join(root, `${size}-${await poolKey(size)}`);
  const manifest = join(dir, 'manifest.json');
  let generated = false;
  const t0 = performance.now();
  if (!existsSync(manifest)) {
    generated = true;
    const work = `${dir}.tmp-${process.pid}`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const generator = createPhotoGenerator();
    const limit = pLimit(opts.concurrency ?? availableParallelism());
    await Promise.all(Array.from({ length: size }, (_, k) => limit(() => makePicture(work, k, generator))));
    await writeFile(join(work, 'manifest.json'), `${JSON.stringify({ size, format: POOL_FORMAT, made: new Date().toISOString() })}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  }
  const generateMs = performance.now() - t0;

  const thumbs = new Map<string, Buffer>();
  const cloudSizes: number[] = [];
  await Promise.all(
    Array.from({ length: size }, async (_, k) => {
      for (const side of THUMB_SIDES) thumbs.set(thumbName(k, side), await readFile(join(dir, thumbName(k, side))));
      cloudSizes[k] = (await stat(join(dir, cloudName(k)))).size;
    }),
  );
  const check = (k: number): void => {
    if (!Number.isInteger(k) || k < 0 || k >= size) throw new RangeError(`picture ${k} is not in the pool of ${size}`);
  };
  return {
    size,
    dir,
    generated,
    generateMs,
    cloudPath: (k) => {
      check(k);
      return join(dir, cloudName(k));
    },
    cloudBytes: (k) => {
      check(k);
      return cloudSizes[k] as number;
    },
    thumbnail: (k, side) => {
      check(k);
      return thumbs.get(thumbName(k, side)) as Buffer;
    },
    corrupt: (k) => {
      check(k);
      const full = thumbs.get(thumbName(k, 240)) as Buffer;
      return full.subarray(0, Math.floor(full.length / 3));
    },
  };
}
