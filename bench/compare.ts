/**
 * Fingerprint + compare throughput on 96–648 px JPEGs (the sizes the tool reads), as `npm run bench:compare`.
 * Goal (issue 12): ≥ 300 photos/s on the 2-core machine. Prints one line per size and the mixed total.
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { comparePrints, fingerprint } from '../src/photo/index.js';
import { CORPUS_SOURCES, sourceBytes } from '../mocks/fixtures/photos/corpus/sources.js';

const SIZES = [96, 240, 648];
const PER_SIZE = 200;
const lanes = Math.max(2, availableParallelism());

async function inputs(side: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < PER_SIZE; i++) {
    const src = sourceBytes(CORPUS_SOURCES[i % CORPUS_SOURCES.length]!);
    out.push(await sharp(src).resize(side, side, { fit: 'cover' }).modulate({ brightness: 1 + (i % 7) / 100 }).jpeg({ quality: 85 }).toBuffer());
  }
  return out;
}

async function run(photos: Buffer[]): Promise<number> {
  const reference = await fingerprint(photos[0]!);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < photos.length) comparePrints(reference, await fingerprint(photos[next++]!));
    }),
  );
  return photos.length / (Number(process.hrtime.bigint() - started) / 1e9);
}

const all: Buffer[] = [];
for (const side of SIZES) {
  const photos = await inputs(side);
  all.push(...photos);
  await run(photos.slice(0, 20)); // warm-up
  process.stdout.write(`${side} px: ${(await run(photos)).toFixed(0)} photos/s\n`);
}
const mixed = await run(all);
process.stdout.write(`mixed 96/240/648 px (${all.length} photos, ${lanes} lanes): ${mixed.toFixed(0)} photos/s — goal ≥ 300: ${mixed >= 300 ? 'met' : 'NOT met'}\n`);
