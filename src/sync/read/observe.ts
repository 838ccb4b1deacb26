/**
 * The observe stage, as a deep pipeline: on-prem users stream from the directory into a window bounded by a count
 * and by the bytes of source photos it holds; each user in the window goes through its own steps (match, source
 * fingerprint, cloud metadata, the cloud photo download when a comparison needs it, its fingerprint) while the
 * others do theirs, so network waits and fingerprinting overlap across users, and the cloud connection's in-flight
 * budget, not this stage, decides how many requests run. Observations come out as users complete, each with its
 * directory sequence number (`seq`) for callers that want directory order back.
 */
import pLimit from 'p-limit';
import type { MatchKey, OnPremUser, PhotoPrint, SourcePhoto } from '../../model.js';
import type { CloudIndex } from '../decide/match.js';
import type { Observation } from '../decide/observation.js';
import type { RoutingConfig } from '../decide/route.js';
import { breather } from './breather.js';
import { observeUser, type CloudPhotoReader } from './observe-user.js';

export type { CloudPhotoReader, Failure } from './observe-user.js';

/** Users in the window by default (the least it holds when it follows the budget). */
export const DEFAULT_WINDOW = 128;
/**
 * Users in the window per unit of the budget's allowance. A user's metadata read and download each wait in a
 * `$batch` that the service runs 4 items at a time (up to 5 round trips each), then its photos are fingerprinted:
 * about 8 users per unit keep the budget busy (128 for the 16 units of a budget grown under the per-mailbox reading).
 */
export const WINDOW_PER_UNIT = 8;
/**
 * Photos fingerprinted at once. Decoding is CPU work on libuv's four threads: more at once only holds more decoded
 * images (and native memory) while they wait for a core.
 */
export const FINGERPRINT_CONCURRENCY = 4;
/** Users admitted to the window in one turn of the event loop at most (a full $batch of metadata reads). */
export const USERS_PER_TURN = 20;
/** Source photo bytes the window may hold (AD thumbnails are ≤ 100 KB; HR folder photos can be megabytes). */
export const DEFAULT_WINDOW_BYTES = 32 * 1024 * 1024;

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
  /** A fingerprint remembered for this user's source photo with this SHA-256, so an unchanged photo is not decoded. */
  knownSourcePrint?: (objectGuid: string, sha256: string) => PhotoPrint | undefined;
  /** Users observed at once (default DEFAULT_WINDOW); with `allowance`, the least. */
  window?: number;
  /**
   * The cloud budget's in-flight allowance now (limiter.ts): the window follows it, WINDOW_PER_UNIT users per unit,
   * so a budget that grows (the per-mailbox reading) has users enough to fill it, and one that settles at 4 does
   * not hold more users and photos than it can use.
   */
  allowance?: () => number;
  /** Source photo bytes held by the window at most (default DEFAULT_WINDOW_BYTES); one user always fits. */
  windowBytes?: number;
  /** Hand the downloaded cloud photo bytes on with each observation (report thumbnails); off by default. */
  keepCloudBytes?: boolean;
}

/**
 * One observed user. `photo` is the source photo, handed on for the caller to use at once (e.g. to spool it for
 * upload) and then drop: nothing downstream keeps it. `seq` is the user's position in the directory stream.
 */
export interface Observed {
  observation: Observation;
  photo?: SourcePhoto;
  /** The cloud photo bytes, when downloaded and `keepCloudBytes` asked for them; used at once and dropped likewise. */
  cloudPhoto?: Buffer;
  seq: number;
}

/**
 * Observes every user of `deps.users`. At most `window` users (and `windowBytes` of source photos) are between
 * being read from the directory and being taken by the consumer, so memory stays bounded however large the tenant,
 * and a slow consumer pauses the directory read. A failure that stops the run (Graph unreachable, sign-in) is thrown
 * to the consumer; per-user failures are part of the observations.
 */
export async function* observe(given: ObserveDeps): AsyncGenerator<Observed> {
  const decode = pLimit(FINGERPRINT_CONCURRENCY);
  const deps: ObserveDeps = { ...given, fingerprint: (bytes) => decode(() => given.fingerprint(bytes)) };
  const least = Math.max(1, deps.window ?? DEFAULT_WINDOW);
  const { allowance } = deps;
  const maxUsers = allowance ? (): number => Math.max(least, WINDOW_PER_UNIT * allowance()) : (): number => least;
  const maxBytes = Math.max(1, deps.windowBytes ?? DEFAULT_WINDOW_BYTES);
  const ready: Array<{ observed: Observed; bytes: number }> = [];
  let held = 0;
  let heldBytes = 0;
  let finished = false;
  let stopped = false;
  let failure: { err: unknown } | undefined;
  const consumerWake = wakeup();
  const readerWake = wakeup();
  const breathe = breather(); // between observations handed to the consumer (its classify, decide and record)

  const reader = (async () => {
    try {
      let seq = 0;
      let admitted = 0;
      for await (const user of deps.users) {
        // Let the event loop run after each batch's worth of users: the cloud requests queued so far go out now
        // rather than after the whole window was filled (a $batch carries at most 20).
        if (++admitted % USERS_PER_TURN === 0) await new Promise<void>((r) => setImmediate(r));
        const bytes = user.photo?.bytes.length ?? 0;
        while (!stopped && held > 0 && (held >= maxUsers() || heldBytes + bytes > maxBytes)) await readerWake.wait();
        if (stopped) break;
        held += 1;
        heldBytes += bytes;
        const n = seq++;
        observeUser(user, deps).then(
          ({ obs: observation, cloudPhoto }) => {
            ready.push({ observed: { observation, ...(user.photo ? { photo: user.photo } : {}), ...(cloudPhoto ? { cloudPhoto } : {}), seq: n }, bytes });
            consumerWake.nudge();
          },
          (err: unknown) => {
            failure ??= { err };
            consumerWake.nudge();
          },
        );
      }
    } catch (err) {
      failure ??= { err };
    } finally {
      finished = true;
      consumerWake.nudge();
    }
  })();

  try {
    for (;;) {
      if (failure) throw failure.err;
      await breathe();
      const next = ready.shift();
      if (next) {
        held -= 1;
        heldBytes -= next.bytes;
        readerWake.nudge();
        yield next.observed;
        continue;
      }
      if (finished && held === 0) break;
      await consumerWake.wait();
    }
    await reader;
  } finally {
    stopped = true;
    readerWake.nudge();
  }
}

/**
 * A wake-up that is not lost: a nudge given while no one waits is kept for the next wait. (The consumer awaits a
 * breather between observations; a user's failure that lands then must still wake it, or the run waits forever.)
 */
function wakeup(): { nudge: () => void; wait: () => Promise<void> } {
  let waiter: (() => void) | undefined;
  let pending = false;
  return {
    nudge: () => {
      const w = waiter;
      waiter = undefined;
      if (w) w();
      else pending = true;
    },
    wait: () => {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((r) => (waiter = r));
    },
  };
}
