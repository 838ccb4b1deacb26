/**
 * The apply stage: carries out a plan's set and delete actions through the writer for each route, in batches,
 * and hands every batch's outcomes to the recorder (one transaction per batch) as they land, so a crash mid-run
 * loses nothing that was written. One user's failure never stops the others.
 */
import type { Route } from '../../model.js';
import type { Decision } from '../decide/plan.js';
import type { PhotoSpool } from './spool.js';
import { stopsTheRun } from '../../errors.js';
import type { Pushed, Recorder } from './record.js';
import { unavailableWriter } from './unavailable.js';
import type { PhotoWriter, WriteResult } from './writer.js';

export interface ApplyDeps {
  writers: Partial<Record<Route, PhotoWriter>>;
  spool: PhotoSpool;
  recorder: Recorder;
  /** Items per writer call (the writer may split further). */
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

export async function applyPlan(decisions: readonly Decision[], deps: ApplyDeps): Promise<ApplyOutcome> {
  const work = decisions.filter((d) => d.action !== 'skip');
  const applied: AppliedUser[] = [];
  const size = deps.batchSize ?? 20;
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
    for (const batch of chunks(list.filter((d) => d.action === 'set'), size)) {
      const photos = await Promise.all(batch.map((d) => deps.spool.get(d.user.objectGuid)));
      const items = batch.map((d, i) => ({ key: d.user.objectGuid, identity: identityFor(d), jpeg: (photos[i] as { jpeg: Buffer }).jpeg }));
      const results = await call((w) => w.setPhotos(items));
      const byKey = new Map(results.map((r) => [r.key, r]));
      deps.recorder.batch(() =>
        batch.forEach((d, i) => {
          const r = byKey.get(d.user.objectGuid) ?? noResult(d);
          const print = (photos[i] as { print: { sha256: string; phash: string } }).print;
          done(d, r, { sha256: print.sha256, phash: print.phash });
        }),
      );
    }
    for (const batch of chunks(list.filter((d) => d.action === 'delete'), size)) {
      const items = batch.map((d) => ({ key: d.user.objectGuid, identity: identityFor(d) }));
      const results = await call((w) => w.deletePhotos(items));
      const byKey = new Map(results.map((r) => [r.key, r]));
      deps.recorder.batch(() => {
        for (const d of batch) done(d, byKey.get(d.user.objectGuid) ?? noResult(d));
      });
    }
  }
  const ok = applied.filter((a) => a.result.ok).length;
  return { applied, ok, failed: applied.length - ok };
}
