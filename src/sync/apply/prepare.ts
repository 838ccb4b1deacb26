/**
 * Upload preparation: a photo to be set is normalised for upload (sharp, off the main thread) and spooled to disk
 * while the read goes on, a few at a time, so the source photo can be dropped at once.
 */
import pLimit from 'p-limit';
import type { SourcePhoto } from '../../model.js';
import { fingerprint } from '../../photo/fingerprint.js';
import { normaliseForUpload } from '../../photo/normalise.js';
import type { Decision } from '../decide/plan.js';
import type { PhotoSpool } from './spool.js';

/** Photos normalised at once, and how many may wait for it before the read pauses. */
const PREPARE_CONCURRENCY = 4;
const PREPARE_BATCH = 20;

/** Normalises a photo for upload and spools it; a photo that cannot be normalised turns the decision into an error. */
export async function prepareUpload(d: Decision, photo: SourcePhoto | undefined, spool: PhotoSpool): Promise<Decision> {
  if (!photo) return { ...d, action: 'skip', status: 'error', reason: 'no source photo to upload' };
  try {
    const { jpeg } = await normaliseForUpload(photo.bytes);
    await spool.put(d.user.objectGuid, { jpeg, print: await fingerprint(jpeg) });
    return d;
  } catch (err) {
    return { ...d, action: 'skip', status: 'error', reason: `cannot prepare the photo for upload: ${(err as Error).message}` };
  }
}

export interface UploadPreparer {
  /** Starts preparing `photo` for `decisions[index]` (a set); waits only when too many are in flight. */
  add(index: number, photo: SourcePhoto | undefined): Promise<void>;
  /** Waits for every preparation; a decision whose photo could not be prepared is replaced in `decisions`. */
  done(): Promise<void>;
}

/** Prepares uploads for entries of `decisions` (which it updates in place), a few at a time. */
export function uploadPreparer(decisions: Decision[], spool: PhotoSpool, prepare = prepareUpload): UploadPreparer {
  const limit = pLimit(PREPARE_CONCURRENCY);
  let inFlight: Promise<void>[] = [];
  return {
    async add(index, photo) {
      inFlight.push(limit(async () => void (decisions[index] = await prepare(decisions[index] as Decision, photo, spool))));
      if (inFlight.length >= PREPARE_BATCH) await this.done();
    },
    async done() {
      const waiting = inFlight;
      inFlight = [];
      await Promise.all(waiting);
    },
  };
}
