/**
 * The apply stage: carries out a plan's set and delete actions through the writer for each route, in batches,
 * and hands every outcome to the recorder as its answer arrives (its own transaction and audit line), so a crash mid-run
 * loses nothing that was written. One user's failure never stops the others.
 */
import type { Route } from '../../model.js';
import type { Decision } from '../decide/plan.js';
import type { PhotoSpool } from './spool.js';
import { stopsTheRun } from '../../errors.js';
import type { Pushed, Recorder } from './record.js';
import { unavailableWriter } from './unavailable.js';
import { DEFAULT_WRITE_SCHEDULE, type PhotoWriter, type WriteResult } from './writer.js';

export interface ApplyDeps {
  writers: Partial<Record<Route, PhotoWriter>>;
  spool: PhotoSpool;
  recorder: Recorder;
  /** Items per writer call for writers without a schedule of their own (the writer may split further). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AppliedUser {
  decision: Decision;
  result: WriteResult;
}

export interface ApplyOutcome {
  applied: AppliedUser[];
  ok: number;
  failed: number;
}

/** The identity a writer addresses: Graph wants the cloud object id, Exchange the UPN (or the GUID). */
function identityFor(d: Decision): string {
  if (d.route === 'graph') return d.user.cloudId ?? d.user.upn ?? d.user.objectGuid;
  return d.user.upn ?? d.user.objectGuid;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function noResult(d: Decision): WriteResult {
  return { key: d.user.objectGuid, ok: false, errorId: 'NoResult', message: 'the writer returned no result for this user' };
}

function missingWriter(d: Decision): WriteResult {
  return {
    key: d.user.objectGuid, ok: false, errorId: 'NoWriterForRoute',
    message: `no writer is configured for route ${d.route}`,
    advice: d.route === 'graph' ? 'configure the cloud section' : 'configure the exchange section (docs/exchange-bridge.md)',
  };
}

/**
 * Records a batch's outcomes as they arrive: `one` records a result the moment the writer reports it (its own
 * transaction, its audit line written then), so a run killed mid-batch keeps every answered write; `rest` records,
 * in one transaction, what the writer returned without reporting it (or never answered). Each user once.
 */
function recordEach(
  recorder: Recorder,
  batch: readonly Decision[],
  record: (d: Decision, r: WriteResult, index: number) => void,
): { one: (r: WriteResult) => void; rest: (results: readonly WriteResult[]) => void } {
  const index = new Map(batch.map((d, i) => [d.user.objectGuid, i]));
  const recorded = new Set<number>();
  const take = (r: WriteResult): void => {
    const i = index.get(r.key);
    if (i === undefined || recorded.has(i)) return;
    recorded.add(i);
    record(batch[i] as Decision, r, i);
  };
  return {
    one: (r) => recorder.batch(() => take(r)),
    rest: (results) => {
      const byKey = new Map(results.map((r) => [r.key, r]));
      recorder.batch(() => batch.forEach((d) => take(byKey.get(d.user.objectGuid) ?? noResult(d))));
    },
  };
}

/**
 * Runs the calls, at most `n()` at a time, each started as soon as a place is free; `n` is asked again whenever a
 * call finishes, so the number of places can follow a budget that grows or shrinks. A call that throws (the run
 * must stop) starts no more calls; the ones running are awaited, so nothing writes after this returns, then it
 * rethrows.
 */
async function atMost(n: () => number, calls: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let next = 0;
  let running = 0;
  let failure: { err: unknown } | undefined;
  await new Promise<void>((resolve) => {
    const fill = (): void => {
      while (!failure && next < calls.length && running < Math.max(1, n())) {
        const call = calls[next++] as () => Promise<void>;
        running += 1;
        void call()
          .catch((err: unknown) => void (failure ??= { err }))
          .finally(() => {
            running -= 1;
            fill();
          });
      }
      if (running === 0) resolve();
    };
    fill();
  });
  if (failure) throw failure.err;
}

export async function applyPlan(decisions: readonly Decision[], deps: ApplyDeps): Promise<ApplyOutcome> {
  const work = decisions.filter((d) => d.action !== 'skip');
  const applied: AppliedUser[] = [];
  const done = (d: Decision, r: WriteResult, pushed?: Pushed): void => {
    deps.recorder.written(d, r, pushed);
    applied.push({ decision: d, result: r });
    deps.onProgress?.(applied.length, work.length);
  };

  const byRoute = new Map<Route, Decision[]>();
  for (const d of work) {
    const list = byRoute.get(d.route);
    if (list) list.push(d);
    else byRoute.set(d.route, [d]);
  }

  for (const [route, list] of byRoute) {
    let writer = deps.writers[route];
    if (!writer) {
      deps.recorder.batch(() => {
        for (const d of list) done(d, missingWriter(d));
      });
      continue;
    }
    // A writer throws only when it cannot work at all: its users fail (retryable), the other routes go on, and
    // the rest of this route fails at once instead of waiting on the same breakage batch after batch.
    const call = async (fn: (w: PhotoWriter) => Promise<WriteResult[]>): Promise<WriteResult[]> => {
      const w = writer as PhotoWriter;
      try {
        return await fn(w);
      } catch (err) {
        if (stopsTheRun(err)) throw err;
        writer = unavailableWriter(route, err);
        return fn(writer);
      }
    };
    const { batchSize, callsAtOnce } = writer.schedule ?? { ...DEFAULT_WRITE_SCHEDULE, batchSize: deps.batchSize ?? DEFAULT_WRITE_SCHEDULE.batchSize };
    const setCalls = chunks(list.filter((d) => d.action === 'set'), batchSize).map((batch) => async (): Promise<void> => {
      const photos = await Promise.all(batch.map((d) => deps.spool.get(d.user.objectGuid)));
      const items = batch.map((d, i) => ({ key: d.user.objectGuid, identity: identityFor(d), jpeg: (photos[i] as { jpeg: Buffer }).jpeg }));
      const pushed = (i: number): Pushed => (photos[i] as { print: Pushed }).print;
      const rec = recordEach(deps.recorder, batch, (d, r, i) => done(d, r, pushed(i)));
      rec.rest(await call((w) => w.setPhotos(items, rec.one)));
    });
    const deleteCalls = chunks(list.filter((d) => d.action === 'delete'), batchSize).map((batch) => async (): Promise<void> => {
      const items = batch.map((d) => ({ key: d.user.objectGuid, identity: identityFor(d) }));
      const rec = recordEach(deps.recorder, batch, (d, r) => done(d, r));
      rec.rest(await call((w) => w.deletePhotos(items, rec.one)));
    });
    const places = typeof callsAtOnce === 'function' ? callsAtOnce : (): number => callsAtOnce;
    await atMost(places, setCalls);
    await atMost(places, deleteCalls);
  }
  const ok = applied.filter((a) => a.result.ok).length;
  return { applied, ok, failed: applied.length - ok };
}
