/**
 * One user's steps in the observe stage: match, the source fingerprint (or the one remembered for the same bytes),
 * the cloud metadata, and the cloud photo's download and fingerprint when a comparison needs them. The window that
 * runs many users at once is observe.ts.
 */
import type { CloudPhotoMeta, OnPremUser } from '../../model.js';
import { sha256Hex } from '../../photo/fingerprint.js';
import { unusableReason } from '../../photo/usable.js';
import { matchUser } from '../decide/match.js';
import { identityOf, type Observation, type SourceSide } from '../decide/observation.js';
import { decideRoute } from '../decide/route.js';
import type { ObserveDeps } from './observe.js';

/** A per-user failure from the cloud reader: a message, or the reader's structured error with advice. */
export type Failure = { error: string | { message: string; advice?: string } };

function failureText(f: Failure): string {
  if (typeof f.error === 'string') return f.error;
  return f.error.advice ? `${f.error.message} (${f.error.advice})` : f.error.message;
}

/** What observe needs from the cloud, one user at a time (the reader packs requests into batches). */
export interface CloudPhotoReader {
  photoMetaOf(id: string): Promise<CloudPhotoMeta | Failure>;
  /** The photo as much as a comparison needs (a smaller served size when it is large); null: no photo. */
  comparePhotoOf(id: string, meta: CloudPhotoMeta): Promise<Buffer | null | Failure>;
}

const isFailure = (v: unknown): v is Failure => typeof v === 'object' && v !== null && 'error' in v && !Buffer.isBuffer(v);

async function sourceSide(user: OnPremUser, deps: ObserveDeps): Promise<SourceSide> {
  if (!user.photo) return {};
  const { bytes, origin } = user.photo;
  if (deps.knownSourcePrint) {
    const sha256 = sha256Hex(bytes);
    const known = deps.knownSourcePrint(user.objectGuid, sha256);
    // Remembered photos were in sync or pushed, so they passed the usable-photo rule when they were decoded.
    if (known) return { print: { ...known, sha256 }, origin };
  }
  try {
    const print = await deps.fingerprint(bytes);
    const unusable = unusableReason(print); // the rule normalisation applies too: report it now, never push it
    return unusable ? { error: unusable, origin } : { print, origin };
  } catch (err) {
    return { error: (err as Error).message, origin };
  }
}

export async function observeUser(user: OnPremUser, deps: ObserveDeps): Promise<{ obs: Observation; cloudPhoto?: Buffer }> {
  const match = matchUser(user, deps.cloudIndex, deps.matchOrder);
  // The source fingerprint (CPU) and the cloud metadata (network) go side by side.
  const sourceP = sourceSide(user, deps);
  const metaP = match.kind === 'matched' ? deps.cloud.photoMetaOf(match.cloud.id) : undefined;
  metaP?.catch(() => undefined); // awaited below; not "unhandled" while the source side is still running
  const obs: Observation = {
    user: identityOf(user),
    ...(user.readError ? { readError: user.readError } : {}),
    source: await sourceP,
    match,
    route: decideRoute(user, deps.routing),
  };
  if (match.kind !== 'matched' || !metaP) return { obs };
  const meta = await metaP;
  if (isFailure(meta)) {
    obs.cloud = { error: failureText(meta) };
    return { obs };
  }
  const side: NonNullable<Observation['cloud']> = { meta };
  obs.cloud = side;
  if (!meta.exists || !obs.source.print) return { obs }; // nothing to compare: no download
  const known = meta.etag ? deps.knownCloudPrint?.(obs.user.objectGuid, meta.etag) : undefined;
  if (known) {
    side.print = known;
    return { obs };
  }
  const bytes = await deps.cloud.comparePhotoOf(match.cloud.id, meta);
  if (isFailure(bytes)) side.error = failureText(bytes);
  else if (bytes === null) side.meta = { exists: false }; // deleted between the two reads
  else {
    try {
      side.print = await deps.fingerprint(bytes);
    } catch (err) {
      side.unreadable = (err as Error).message;
    }
    if (deps.keepCloudBytes) return { obs, cloudPhoto: bytes };
  }
  return { obs };
}
