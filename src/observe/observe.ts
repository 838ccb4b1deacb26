/**
 * The observe stage: streams on-prem users, matches them against the cloud index, reads cloud photo metadata
 * in $batch-sized chunks, downloads cloud photo bytes only where a comparison needs them, and yields one
 * Observation (fingerprints, no bytes) per user. At most one chunk of photos is in memory at a time.
 */
import type { CloudPhotoMeta, MatchKey, OnPremUser, PhotoPrint } from '../model.js';
import { ClaimRegistry, matchUser, type CloudIndex } from '../reconcile/match.js';
import { identityOf, type MatchState, type Observation, type SourceSide } from '../reconcile/observation.js';
import { decideRoute, type RoutingConfig } from '../reconcile/route.js';

export type Failure = { error: string };

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
  /** A fingerprint remembered for this cloud photo version (state), so unchanged photos are not downloaded again. */
  knownCloudPrint?: (cloudId: string, etag: string) => PhotoPrint | undefined;
  /** Users per chunk; 20 fills one Graph $batch. */
  chunkSize?: number;
}

interface Pending {
  obs: Observation;
  cloudId?: string;
}

const isFailure = (v: unknown): v is Failure => typeof v === 'object' && v !== null && 'error' in v && !Buffer.isBuffer(v);

async function sourceSide(user: OnPremUser, fingerprint: ObserveDeps['fingerprint']): Promise<SourceSide> {
  if (!user.photo) return {};
  try {
    return { print: await fingerprint(user.photo.bytes), origin: user.photo.origin };
  } catch (err) {
    return { error: (err as Error).message, origin: user.photo.origin };
  }
}

function matchState(user: OnPremUser, deps: ObserveDeps, claims: ClaimRegistry): MatchState {
  const m = matchUser(user, deps.cloudIndex, deps.matchOrder);
  if (m.kind !== 'matched') return m;
  const holder = claims.claim(m.cloud.id, user.dn);
  return holder === undefined ? m : { kind: 'conflict', cloud: m.cloud, by: m.by, holderDn: holder };
}

async function observeChunk(chunk: OnPremUser[], deps: ObserveDeps, claims: ClaimRegistry): Promise<Observation[]> {
  const pending: Pending[] = await Promise.all(
    chunk.map(async (user) => {
      const match = matchState(user, deps, claims);
      const obs: Observation = {
        user: identityOf(user),
        ...(user.readError ? { readError: user.readError } : {}),
        source: await sourceSide(user, deps.fingerprint),
        match,
        route: decideRoute(user, deps.routing),
      };
      return match.kind === 'matched' ? { obs, cloudId: match.cloud.id } : { obs };
    }),
  );

  const matched = pending.filter((p): p is Required<Pending> => p.cloudId !== undefined);
  if (matched.length === 0) return pending.map((p) => p.obs);

  const metas = await deps.cloud.photoMeta(matched.map((p) => p.cloudId));
  const toDownload: Required<Pending>[] = [];
  for (const p of matched) {
    const meta = metas.get(p.cloudId);
    if (meta === undefined || isFailure(meta)) {
      p.obs.cloud = { error: meta ? meta.error : 'no answer for this user in the batch' };
      continue;
    }
    p.obs.cloud = { meta };
    if (!meta.exists || !p.obs.source.print) continue; // nothing to compare: no download
    const known = meta.etag ? deps.knownCloudPrint?.(p.cloudId, meta.etag) : undefined;
    if (known) p.obs.cloud.print = known;
    else toDownload.push(p);
  }

  if (toDownload.length > 0) {
    const bytes = await deps.cloud.photoBytes(toDownload.map((p) => p.cloudId));
    await Promise.all(
      toDownload.map(async (p) => {
        const side = p.obs.cloud as NonNullable<Observation['cloud']>;
        const b = bytes.get(p.cloudId);
        if (b === undefined || isFailure(b)) side.error = b ? b.error : 'no answer for this user in the batch';
        else if (b === null) side.meta = { exists: false }; // deleted between the two reads
        else {
          try {
            side.print = await deps.fingerprint(b);
          } catch (err) {
            side.error = `cloud photo unreadable: ${(err as Error).message}`;
          }
        }
      }),
    );
  }
  return pending.map((p) => p.obs);
}

export async function* observe(deps: ObserveDeps): AsyncGenerator<Observation> {
  const size = deps.chunkSize ?? 20;
  const claims = new ClaimRegistry();
  let chunk: OnPremUser[] = [];
  for await (const user of deps.users) {
    chunk.push(user);
    if (chunk.length >= size) {
      yield* await observeChunk(chunk, deps, claims);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield* await observeChunk(chunk, deps, claims);
}
