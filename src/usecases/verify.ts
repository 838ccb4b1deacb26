/**
 * After `hps fix` writes a photo: read the cloud photo back and check it perceptually against the source.
 */
import type { GraphReader } from '../cloud/graph-reader.js';
import type { ClassifiedUser, ComparePrints } from '../sync/decide/classify.js';
import { fingerprint } from '../photo/fingerprint.js';
import { decodeStoredPrint } from '../photo/stored-print.js';

export interface Verification {
  verified: boolean;
  distance: number | null;
  detail: string;
}

export async function verifyCloudPhoto(reader: GraphReader, user: ClassifiedUser, expect: 'photo' | 'none', compare: ComparePrints): Promise<Verification> {
  if (!user.cloudId) return { verified: false, distance: null, detail: 'no cloud user to check' };
  const got = (await reader.photoBytes([user.cloudId])).get(user.cloudId);
  if (got === undefined || (got !== null && !Buffer.isBuffer(got))) {
    const why = got && !Buffer.isBuffer(got) ? got.error.message : 'no answer';
    return { verified: false, distance: null, detail: `could not read the cloud photo back: ${why}` };
  }
  if (expect === 'none') {
    return got === null ? { verified: true, distance: null, detail: 'the cloud has no photo, as intended' } : { verified: false, distance: null, detail: 'the cloud still has a photo' };
  }
  if (got === null) return { verified: false, distance: null, detail: 'the cloud has no photo after the write' };
  if (!user.sourcePhash || !user.sourceSha256) return { verified: false, distance: null, detail: 'no source fingerprint to compare with' };
  const cloud = await fingerprint(got);
  const stored = decodeStoredPrint(user.sourcePhash) ?? { phash: user.sourcePhash, width: 0, height: 0 };
  const cmp = compare({ sha256: user.sourceSha256, ...stored }, cloud);
  const d = Math.round(cmp.distance * 1000) / 1000;
  return cmp.same
    ? { verified: true, distance: d, detail: `the cloud photo (${cloud.width}×${cloud.height}) is the source picture (distance ${d})` }
    : { verified: false, distance: d, detail: `the cloud photo does not match the source (distance ${d})` };
}
