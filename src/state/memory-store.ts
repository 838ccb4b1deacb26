/**
 * The in-memory state store: same behaviour as the SQLite one (both go through backend.ts), nothing on
 * disk. For the pure core's tests and for `--state :memory:`-style dry runs.
 */
import { createStateStore } from './backend.js';
import type { MarkRow, StateBackend } from './backend.js';
import { StateError } from './errors.js';
import type { RunRecord, StateStore, StoreOptions, UserState } from './store.js';
import { cloneUser } from './user-record.js';

const cloneRun = (run: RunRecord): RunRecord => structuredClone(run);
const cloneMarkRow = (row: MarkRow): MarkRow => structuredClone(row);

interface Tables {
  users: Map<string, UserState>;
  marks: Map<string, MarkRow>;
  runs: Map<string, RunRecord>;
}

function copyTables(t: Tables): Tables {
  return { users: new Map(t.users), marks: new Map(t.marks), runs: new Map(t.runs) };
}

/** Maps of immutable-by-convention records (every read and write copies). */
class MemoryBackend implements StateBackend {
  private t: Tables = { users: new Map(), marks: new Map(), runs: new Map() };
  private closed = false;

  private open(): Tables {
    if (this.closed) throw new StateError('the state store is closed');
    return this.t;
  }

  readUser(objectGuid: string): UserState | undefined {
    const user = this.open().users.get(objectGuid);
    return user && cloneUser(user);
  }

  readUsers(objectGuids: readonly string[]): UserState[] {
    return objectGuids.flatMap((g) => {
      const user = this.readUser(g);
      return user ? [user] : [];
    });
  }

  writeUser(user: UserState): void {
    this.open().users.set(user.objectGuid, cloneUser(user));
  }

  deleteUser(objectGuid: string): boolean {
    return this.open().users.delete(objectGuid);
  }

  pageUsers(after: string | undefined, limit: number): UserState[] {
    return [...this.open().users.keys()]
      .filter((k) => after === undefined || k > after)
      .sort()
      .slice(0, limit)
      .flatMap((k) => this.readUser(k) ?? []);
  }

  usersWithError(): UserState[] {
    return [...this.open().users.values()]
      .filter((u) => u.lastResult === 'error')
      .sort((a, b) => (a.objectGuid < b.objectGuid ? -1 : 1))
      .map(cloneUser);
  }

  readMarkRow(directoryKey: string): MarkRow | undefined {
    const row = this.open().marks.get(directoryKey);
    return row && cloneMarkRow(row);
  }

  writeMarkRow(directoryKey: string, row: MarkRow): void {
    this.open().marks.set(directoryKey, cloneMarkRow(row));
  }

  deleteMarkRow(directoryKey: string): void {
    this.open().marks.delete(directoryKey);
  }

  readRun(runId: string): RunRecord | undefined {
    const run = this.open().runs.get(runId);
    return run && cloneRun(run);
  }

  writeRun(run: RunRecord): void {
    this.open().runs.set(run.runId, cloneRun(run));
  }

  recentRuns(limit: number): RunRecord[] {
    return [...this.open().runs.values()]
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0))
      .slice(0, limit)
      .map(cloneRun);
  }

  /** Snapshot the tables (shallow: records are never mutated in place) and restore them on failure. */
  transaction<T>(fn: () => T): T {
    const before = copyTables(this.open());
    try {
      const result = fn();
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        throw new TypeError('Transaction function cannot return a promise');
      }
      return result;
    } catch (err) {
      this.t = before;
      throw err;
    }
  }

  close(): void {
    this.closed = true;
  }
}

/** A fresh, empty in-memory state store. */
export function openMemoryStore(options: StoreOptions = {}): StateStore {
  return createStateStore(new MemoryBackend(), options);
}
