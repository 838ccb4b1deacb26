/**
 * The apply stage: carries out a plan's set and delete actions through the writer for each route, in batches,
 * and records every batch's outcomes in the state (one transaction per batch) and the audit log as they land, so
 * a crash mid-run loses nothing that was written. One user's failure never stops the others.
 */
import type { Route } from '../../model.js';
import type { Decision } from '../decide/plan.js';
import type { AuditLog } from '../../state/audit.js';
import type { StateStore } from '../../state/store.js';
import type { PhotoSpool } from './spool.js';
import { stopsTheRun } from '../../errors.js';
import { unavailableWriter } from './unavailable.js';
import type { PhotoWriter, WriteResult } from './writer.js';

export interface ApplyDeps {
  writers: Partial<Record<Route, PhotoWriter>>;
  spool: PhotoSpool;
  state: StateStore;
  audit?: AuditLog;
  runId: string;
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

function describeFailure(r: WriteResult): string {
  const head = [r.errorId, r.status].filter((x) => x !== undefined).join(' ');
  return [head, r.message, r.advice].filter(Boolean).join(': ');
}

/** Remembers one outcome in the state. The caller wraps a batch of these in one transaction. */
function recordState(deps: ApplyDeps, d: Decision, r: WriteResult, pushed?: { sha256: string; phash: string }): void {
  const u = d.user;
  const ids = { objectGuid: u.objectGuid, runId: deps.runId, dn: u.dn, ...(u.upn ? { upn: u.upn } : {}), ...(u.cloudId ? { cloudId: u.cloudId } : {}), route: d.route };
  if (!r.ok) {
    deps.state.recordFailure({ ...ids, error: describeFailure(r), action: d.action });
  } else if (d.action === 'set' && pushed) {
    const source = { ...(u.sourceSha256 ? { sourceSha256: u.sourceSha256 } : {}), ...(u.sourcePhash ? { sourcePhash: u.sourcePhash } : {}) };
    deps.state.recordPush({ ...ids, ...source, action: 'set', pushedSha256: pushed.sha256, pushedPhash: pushed.phash, ...(r.etag ? { etag: r.etag } : {}) });
    // The cloud now holds a re-encoding of what we pushed: remember its fingerprint against the new etag,
    // so the next run need not download it. An etag that did not move describes the old photo: remember nothing.
    if (r.etag && r.etag !== u.cloudEtag) deps.state.recordCloudSeen({ objectGuid: u.objectGuid, etag: r.etag, phash: pushed.phash, runId: deps.runId });
  } else {
    deps.state.recordPush({ ...ids, action: 'delete' });
    deps.state.recordCloudSeen({ objectGuid: u.objectGuid, etag: null, runId: deps.runId });
  }
}

function recordAudit(deps: ApplyDeps, d: Decision, r: WriteResult): void {
  const u = d.user;
  deps.audit?.write({
    runId: deps.runId, dn: u.dn, objectGuid: u.objectGuid, ...(u.upn ? { upn: u.upn } : {}), action: d.action, route: d.route,
    reason: d.reason, result: r.ok ? 'ok' : 'error', ...(r.ok ? {} : { error: describeFailure(r) }), ...(r.errorId ? { errorId: r.errorId } : {}),
  });
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
  const done = (d: Decision, r: WriteResult, pushed?: { sha256: string; phash: string }): void => {
    recordState(deps, d, r, pushed);
    recordAudit(deps, d, r);
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
      deps.state.transaction(() => {
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
      deps.state.transaction(() =>
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
      deps.state.transaction(() => {
        for (const d of batch) done(d, byKey.get(d.user.objectGuid) ?? noResult(d));
      });
    }
  }
  const ok = applied.filter((a) => a.result.ok).length;
  return { applied, ok, failed: applied.length - ok };
}
