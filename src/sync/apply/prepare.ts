/**
 * Upload preparation: a photo to be set is normalised for upload (sharp, off the main thread) and spooled to disk
 * while the read goes on, a few at a time, so the source photo can be dropped at once.
 */
import pLimit from 'p-limit';
import type { PhotoPrint, SourcePhoto } from '../../model.js';
import { fingerprint, sha256Hex } from '../../photo/fingerprint.js';
import { normaliseForUpload, type NormalisedPhoto } from '../../photo/normalise.js';
import type { Decision } from '../decide/plan.js';
import type { PhotoSpool } from './spool.js';

/** Photos normalised at once, and how many may wait for it (each holding its source photo) before the read pauses. */
const PREPARE_CONCURRENCY = 4;
const PREPARE_BACKLOG = 64;

/**
 * What the upload looks like to the comparator. The upload is the source's centre square (the region the fingerprint
 * samples), resized and re-encoded, so the source's print is its print up to JPEG noise: reused with the upload's own
 * SHA-256 and size, not made again by decoding the JPEG just encoded (half the photo work of a push).
 */
async function uploadPrint(d: Decision, upload: NormalisedPhoto): Promise<PhotoPrint> {
  const source = d.user.sourcePrint;
  if (!source) return fingerprint(upload.jpeg);
  return { sha256: sha256Hex(upload.jpeg), phash: source.phash, ...(source.colour ? { colour: source.colour } : {}), width: upload.width, height: upload.height };
}

/** Normalises a photo for upload and spools it; a photo that cannot be normalised turns the decision into an error. */
export async function prepareUpload(d: Decision, photo: SourcePhoto | undefined, spool: PhotoSpool): Promise<Decision> {
  if (!photo) return { ...d, action: 'skip', status: 'error', reason: 'no source photo to upload' };
  try {
    // The source's print was made by decoding these bytes (strictly) unless the photo changed since: then the
    // normaliser may keep an already clean JPEG without a second decode.
    const upload = await normaliseForUpload(photo.bytes, { verified: d.user.sourcePrint?.sha256 === sha256Hex(photo.bytes) });
    await spool.put(d.user.objectGuid, { jpeg: upload.jpeg, print: await uploadPrint(d, upload) });
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
  const inFlight = new Set<Promise<void>>();
  return {
    async add(index, photo) {
      const p: Promise<void> = limit(async () => void (decisions[index] = await prepare(decisions[index] as Decision, photo, spool))).finally(() => inFlight.delete(p));
      inFlight.add(p);
      // Only a full backlog pauses the read, and only until one of them is done: never for a whole batch.
      if (inFlight.size >= PREPARE_BACKLOG) await Promise.race(inFlight);
    },
    async done() {
      await Promise.all(inFlight);
    },
  };
}
