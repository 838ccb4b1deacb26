/**
 * Fingerprint + compare throughput on 96–648 px JPEGs (the sizes the tool reads), as `npm run bench:compare`.
 * Goal (issue 12): ≥ 300 photos/s on the 2-core machine. Prints one line per size and the mixed total, as wall-clock
 * rate, per CPU-second (the fair number when other work shares the machine) and CPU ms a photo.
 *
 * Lanes: as many fingerprints at once as the tool runs (the observe stage's FINGERPRINT_CONCURRENCY, 4). Each
 * fingerprint is a sharp call on libuv's threads with JavaScript on the main thread around it, so one lane per
 * core (the earlier 2) left a core idle while the other did JavaScript.
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { comparePrints, fingerprint } from '../src/photo/index.js';
import { FINGERPRINT_CONCURRENCY } from '../src/sync/read/observe.js';
import { CORPUS_SOURCES, sourceBytes } from '../mocks/fixtures/photos/corpus/sources.js';

const SIZES = [96, 240, 648];
const PER_SIZE = 200;
const lanes = FINGERPRINT_CONCURRENCY;

async function inputs(side: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < PER_SIZE; i++) {
    const src = sourceBytes(CORPUS_SOURCES[i % CORPUS_SOURCES.length]!);
    out.push(await sharp(src).resize(side, side, { fit: 'cover' }).modulate({ brightness: 1 + (i % 7) / 100 }).jpeg({ quality: 85 }).toBuffer());
  }
  return out;
}

interface Rate {
  /** Photos per second of wall time. */
  wall: number;
  /** Photos per CPU-second (all threads of this process): what one free core does, whatever else runs. */
  perCpu: number;
}

async function run(photos: Buffer[]): Promise<Rate> {
  const reference = await fingerprint(photos[0]!);
  let next = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < photos.length) comparePrints(reference, await fingerprint(photos[next++]!));
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    wall: photos.length / (Number(process.hrtime.bigint() - started) / 1e9),
    perCpu: photos.length / ((used.user + used.system) / 1e6),
  };
}

const say = (r: Rate): string => `${r.wall.toFixed(0)} photos/s (${r.perCpu.toFixed(0)} per CPU-second, ${(1000 / r.perCpu).toFixed(2)} CPU ms a photo)`;

const all: Buffer[] = [];
for (const side of SIZES) {
  const photos = await inputs(side);
  all.push(...photos);
  await run(photos.slice(0, 20)); // warm-up
  process.stdout.write(`${side} px: ${say(await run(photos))}\n`);
}
const mixed = await run(all);
const cores = availableParallelism();
// On a busy machine the wall rate says more about the neighbours than about this code; CPU-seconds do not.
const idle = mixed.perCpu * cores;
process.stdout.write(
  `mixed 96/240/648 px (${all.length} photos, ${lanes} lanes): ${say(mixed)}; ` +
    `${cores} idle cores would do ≈ ${idle.toFixed(0)} photos/s — goal ≥ 300: wall ${mixed.wall >= 300 ? 'met' : 'NOT met'}, CPU ${idle >= 300 ? 'met' : 'NOT met'}\n`,
);
