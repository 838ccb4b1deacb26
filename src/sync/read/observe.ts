/**
 * The observe stage: streams on-prem users, matches them against the cloud index, reads cloud photo metadata
 * in $batch-sized chunks, downloads cloud photo bytes only where a comparison needs them, and yields one
 * Observation (fingerprints, no bytes) per user. At most one chunk of photos is in memory at a time.
 */
import type { CloudPhotoMeta, MatchKey, OnPremUser, PhotoPrint, SourcePhoto } from '../../model.js';
import { matchUser, type CloudIndex } from '../decide/match.js';
import { identityOf, type MatchState, type Observation, type SourceSide } from '../decide/observation.js';
import { decideRoute, type RoutingConfig } from '../decide/route.js';
import { unusableReason } from '../../photo/usable.js';

/** A per-user failure from the cloud reader: a message, or the reader's structured error with advice. */
export type Failure = { error: string | { message: string; advice?: string } };

function failureText(f: Failure): string {
  if (typeof f.error === 'string') return f.error;
  return f.error.advice ? `${f.error.message} (${f.error.advice})` : f.error.message;
}

/** What observe needs from the cloud: batched photo metadata and bytes, keyed by cloud user id. */
export interface CloudPhotoReader {
  photoMeta(ids: readonly string[]): Promise<Map<string, CloudPhotoMeta | Failure>>;
  photoBytes(ids: readonly string[]): Promise<Map<string, Buffer | null | Failure>>;
}

export interface ObserveDeps {
  users: AsyncIterable<OnPremUser>;
  cloudIndex: CloudIndex;
  cloud: CloudPhotoReader;
  fingerprint: (bytes: Buffer) => Promise<PhotoPrint>;
  matchOrder: readonly MatchKey[];
  routing: RoutingConfig;
  /**
   * A fingerprint remembered (in state) for this user's cloud photo at this etag, so an unchanged cloud photo is
   * not downloaded again.
   */
  knownCloudPrint?: (objectGuid: string, etag: string) => PhotoPrint | undefined;
  /** Users per chunk; 20 fills one Graph $batch. */
  chunkSize?: number;
  /** Hand the downloaded cloud photo bytes on with each observation (report thumbnails); off by default. */
  keepCloudBytes?: boolean;
}

/**
 * One observed user. `photo` is the source photo, handed on for the caller to use at once (e.g. to spool it for
 * upload) and then drop: nothing downstream keeps it.
 */
export interface Observed {
  observation: Observation;
  photo?: SourcePhoto;
  /** The cloud photo bytes, when downloaded and `keepCloudBytes` asked for them; used at once and dropped likewise. */
  cloudPhoto?: Buffer;
}

interface Pending {
  obs: Observation;
  photo?: SourcePhoto;
  cloudId?: string;
  cloudPhoto?: Buffer;
}

const isFailure = (v: unknown): v is Failure => typeof v === 'object' && v !== null && 'error' in v && !Buffer.isBuffer(v);

async function sourceSide(user: OnPremUser, fingerprint: ObserveDeps['fingerprint']): Promise<SourceSide> {
  if (!user.photo) return {};
  try {
    const print = await fingerprint(user.photo.bytes);
    const unusable = unusableReason(print); // the rule normalisation applies too: report it now, never push it
    return unusable ? { error: unusable, origin: user.photo.origin } : { print, origin: user.photo.origin };
  } catch (err) {
    return { error: (err as Error).message, origin: user.photo.origin };
  }
}

async function observeChunk(chunk: OnPremUser[], deps: ObserveDeps): Promise<Observed[]> {
  const pending: Pending[] = await Promise.all(
    chunk.map(async (user) => {
      const match: MatchState = matchUser(user, deps.cloudIndex, deps.matchOrder);
      const obs: Observation = {
        user: identityOf(user),
        ...(user.readError ? { readError: user.readError } : {}),
        source: await sourceSide(user, deps.fingerprint),
        match,
        route: decideRoute(user, deps.routing),
      };
      const photo = user.photo ? { photo: user.photo } : {};
      return match.kind === 'matched' ? { obs, ...photo, cloudId: match.cloud.id } : { obs, ...photo };
    }),
  );

  const matched = pending.filter((p): p is Required<Pending> => p.cloudId !== undefined);
  const done = (): Observed[] =>
    pending.map((p) => ({ observation: p.obs, ...(p.photo ? { photo: p.photo } : {}), ...(p.cloudPhoto ? { cloudPhoto: p.cloudPhoto } : {}) }));
  if (matched.length === 0) return done();

  const metas = await deps.cloud.photoMeta(matched.map((p) => p.cloudId));
  const toDownload: Required<Pending>[] = [];
  for (const p of matched) {
    const meta = metas.get(p.cloudId);
    if (meta === undefined || isFailure(meta)) {
      p.obs.cloud = { error: meta ? failureText(meta) : 'no answer for this user in the batch' };
      continue;
    }
    p.obs.cloud = { meta };
    if (!meta.exists || !p.obs.source.print) continue; // nothing to compare: no download
    const known = meta.etag ? deps.knownCloudPrint?.(p.obs.user.objectGuid, meta.etag) : undefined;
    if (known) p.obs.cloud.print = known;
    else toDownload.push(p);
  }

  if (toDownload.length > 0) {
    const bytes = await deps.cloud.photoBytes(toDownload.map((p) => p.cloudId));
    await Promise.all(
      toDownload.map(async (p) => {
        const side = p.obs.cloud as NonNullable<Observation['cloud']>;
        const b = bytes.get(p.cloudId);
        if (b === undefined || isFailure(b)) side.error = b ? failureText(b) : 'no answer for this user in the batch';
        else if (b === null) side.meta = { exists: false }; // deleted between the two reads
        else {
          try {
            side.print = await deps.fingerprint(b);
            if (deps.keepCloudBytes) p.cloudPhoto = b;
          } catch (err) {
            side.unreadable = (err as Error).message;
          }
        }
      }),
    );
  }
  return done();
}

/**
 * Chunks are pipelined: the next chunk is read from the directory and observed while the consumer works through
 * the one before, so network waits and fingerprinting overlap. At most two chunks are in flight; results come out
 * in directory order.
 */
export async function* observe(deps: ObserveDeps): AsyncGenerator<Observed> {
  const size = deps.chunkSize ?? 20;
  const start = (users: OnPremUser[]): Promise<Observed[]> => {
    const p = observeChunk(users, deps);
    p.catch(() => undefined); // observed when awaited; not "unhandled" if the consumer stops first
    return p;
  };
  let inFlight: Promise<Observed[]> | undefined;
  let chunk: OnPremUser[] = [];
  for await (const user of deps.users) {
    chunk.push(user);
    if (chunk.length >= size) {
      const next = start(chunk);
      chunk = [];
      if (inFlight) yield* await inFlight;
      inFlight = next;
    }
  }
  const last = chunk.length > 0 ? start(chunk) : undefined;
  if (inFlight) yield* await inFlight;
  if (last) yield* await last;
}
