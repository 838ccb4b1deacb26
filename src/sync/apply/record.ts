/**
 * The recorder: every state and audit write of a sync run, in one place. The read and decide stages write nothing;
 * the use case calls the recorder after the read (what the run saw), per write batch (what landed) and at the end
 * (the directory mark). State writes are batched in transactions; a crash loses nothing already written.
 */
import type { DirectoryMark, StateStore } from '../../state/store.js';
import type { AuditLog } from '../../state/audit.js';
import type { Decision } from '../decide/plan.js';
import { recordSeen, notPending, storedSourcePrint, type SeenOptions } from './record-seen.js';
import { encodeStoredPrint } from '../../photo/stored-print.js';
import type { WriteResult } from './writer.js';

/** Fingerprint of what was uploaded, remembered after a successful set (colour and size: see stored-print.ts). */
export interface Pushed {
  sha256: string;
  phash: string;
  colour?: string;
  width?: number;
  height?: number;
}

export interface Recorder {
  readonly runId: string;
  /** What the run saw of every user (after the read, before anything is written; not in dry runs). */
  seen(decisions: readonly Decision[], opts: SeenOptions): void;
  /** A dry run: one audit line per set or delete it would have made. */
  planned(decisions: readonly Decision[]): void;
  /** One write's outcome, in the state and the audit log. Call inside `batch`. */
  written(d: Decision, r: WriteResult, pushed?: Pushed): void;
  /** Runs `fn`'s records in one state transaction. */
  batch<T>(fn: () => T): T;
  /** The run looked at everything it meant to: move the directory's mark (and, after a full read, its full-run time). */
  finished(directoryKey: string, mark: Omit<DirectoryMark, 'at'> | undefined, at: Date, full: boolean): void;
}

export interface RecorderDeps {
  state: StateStore;
  audit?: AuditLog;
  runId: string;
}

export function describeFailure(r: WriteResult): string {
  const head = [r.errorId, r.status].filter((x) => x !== undefined).join(' ');
  return [head, r.message, r.advice].filter(Boolean).join(': ');
}

function auditOf(runId: string, d: Decision): { runId: string; dn: string; objectGuid: string; upn?: string; action: Decision['action']; route: Decision['route']; reason: string } {
  const u = d.user;
  return { runId, dn: u.dn, objectGuid: u.objectGuid, ...(u.upn ? { upn: u.upn } : {}), action: d.action, route: d.route, reason: d.reason };
}

function recordWrite(deps: RecorderDeps, d: Decision, r: WriteResult, pushed?: Pushed): void {
  const { state, runId } = deps;
  const u = d.user;
  const ids = { objectGuid: u.objectGuid, runId, dn: u.dn, ...(u.upn ? { upn: u.upn } : {}), ...(u.cloudId ? { cloudId: u.cloudId } : {}), route: d.route };
  if (!r.ok) {
    state.recordFailure({ ...ids, error: describeFailure(r), action: d.action });
  } else if (d.action === 'set' && pushed) {
    const source = { ...(u.sourceSha256 ? { sourceSha256: u.sourceSha256 } : {}), ...(u.sourcePhash ? { sourcePhash: storedSourcePrint(u) } : {}) };
    state.recordPush({ ...ids, ...source, action: 'set', pushedSha256: pushed.sha256, pushedPhash: pushed.phash, ...(r.etag ? { etag: r.etag } : {}) });
    // The cloud now holds a re-encoding of what we pushed: remember its fingerprint against the new etag,
    // so the next run need not download it. An etag that did not move describes the old photo: remember nothing.
    if (r.etag && r.etag !== u.cloudEtag) state.recordCloudSeen({ objectGuid: u.objectGuid, etag: r.etag, phash: encodeStoredPrint({ width: 0, height: 0, ...pushed }), runId });
  } else {
    state.recordPush({ ...ids, action: 'delete' });
    state.recordCloudSeen({ objectGuid: u.objectGuid, etag: null, runId });
  }
  deps.audit?.write({
    ...auditOf(runId, d),
    result: r.ok ? 'ok' : 'error', ...(r.ok ? {} : { error: describeFailure(r) }), ...(r.errorId ? { errorId: r.errorId } : {}),
  });
}

/** Users whose observations are written to the state in one transaction (a durable SQLite write costs milliseconds). */
const SEEN_BATCH = 200;

export function createRecorder(deps: RecorderDeps): Recorder {
  const { state, runId } = deps;
  return {
    runId,
    seen(decisions, opts) {
      for (let i = 0; i < decisions.length; i += SEEN_BATCH) {
        state.transaction(() => {
          for (const d of decisions.slice(i, i + SEEN_BATCH)) recordSeen(state, runId, d, opts.contested);
        });
      }
      state.transaction(() => {
        for (const objectGuid of notPending(state, decisions, opts)) state.upsertUser({ objectGuid, cloudId: null, attempts: 0, lastResult: null, lastError: null, deferred: null });
      });
    },
    planned(decisions) {
      for (const d of decisions) if (d.action !== 'skip') deps.audit?.write({ ...auditOf(runId, d), result: 'dry-run' });
    },
    written: (d, r, pushed) => recordWrite(deps, d, r, pushed),
    batch: (fn) => state.transaction(fn),
    finished(directoryKey, mark, at, full) {
      if (!mark) return;
      state.setMark(directoryKey, { ...mark, at });
      if (full) state.recordFullRun(directoryKey);
    },
  };
}
