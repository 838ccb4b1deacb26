/**
 * What a sync run reads. Incremental by default: only users the directory changed since the last run (by
 * uSNChanged on the same DC), plus users still pending (failed, waiting for a cloud account, blocked by the tenant
 * policy); a full read when asked, when there is no usable mark, or when the last full read is older than
 * `fullEveryDays`; one user for `fix`. Writes nothing: what it learns for the state (the next mark, pending users
 * the directory no longer returns) is handed on in the plan, for the recorder.
 */
import type { GraphReader } from '../../cloud/graph-reader.js';
import type { DirectorySource, HighWaterMark } from '../../directory/source.js';
import { foldGuid, type OnPremUser } from '../../model.js';
import type { Deferral } from '../decide/memory.js';
import { selectorsFor } from './identify.js';
import { directoryScope, singleUserScope, type ReadScope } from './scope.js';

export type ReadMode = 'full' | 'incremental' | 'single';

/** What the read stage needs to know of earlier runs (the use case reads it from the state). */
export interface ReadMemory {
  /** Where the last run against this directory got to. */
  mark(): HighWaterMark | undefined;
  lastFullRunAt(): Date | undefined;
  /** Users still pending from earlier runs. */
  pending(): ReadonlyArray<{ objectGuid: string; deferred?: Deferral }>;
}

export interface ReadPlanDeps {
  directory: DirectorySource;
  reader: GraphReader;
  memory: ReadMemory;
  fullEveryDays: number;
  now: () => Date;
  log: { info(obj: object, msg: string): void };
}

export interface ReadPlanOptions {
  full: boolean;
  reload: boolean;
  /** One user only (`hps fix`). */
  user?: string;
  /**
   * The tenant refuses cloud writes: pending users blocked by it are not read again. A function when the answer is
   * still on its way (the tenant policy is read while the directory and the cloud users are); asked only then.
   */
  cloudWritesBlocked: boolean | (() => Promise<boolean>);
}

export interface ReadPlan {
  mode: ReadMode;
  scope: ReadScope;
  /** Mark to store after a successful run (taken before reading). */
  nextMark?: HighWaterMark;
  /**
   * Pending users the directory no longer returns (deleted, out of scope), filled while `scope.users` is read: they
   * stop being pending when the run is recorded.
   */
  vanished: string[];
}

async function* concat(first: AsyncIterable<OnPremUser>, rest: () => AsyncIterable<OnPremUser>): AsyncGenerator<OnPremUser> {
  const seen = new Set<string>();
  for await (const u of first) {
    seen.add(foldGuid(u.objectGuid));
    yield u;
  }
  for await (const u of rest()) if (!seen.has(foldGuid(u.objectGuid))) yield u;
}

/** Pending users, read one by one; those blocked by the tenant policy are left out while it still blocks. */
async function* pendingUsers(deps: ReadPlanDeps, opts: ReadPlanOptions, vanished: string[]): AsyncGenerator<OnPremUser> {
  const blocked = typeof opts.cloudWritesBlocked === 'function' ? await opts.cloudWritesBlocked() : opts.cloudWritesBlocked;
  for (const s of deps.memory.pending()) {
    if (blocked && s.deferred === 'blocked') continue;
    let found = false;
    for await (const u of deps.directory.users({ only: { by: 'objectGuid', value: s.objectGuid } })) {
      found = true;
      yield u;
    }
    if (!found) vanished.push(s.objectGuid);
  }
}

/** Why this run reads everyone, or undefined when an incremental read from `mark` is good. */
function fullReadReason(deps: ReadPlanDeps, opts: ReadPlanOptions, nextMark: HighWaterMark | undefined): string | undefined {
  if (opts.full) return '--full';
  if (opts.reload) return '--reload';
  if (!nextMark) return 'the directory source has no change tracking';
  const mark = deps.memory.mark();
  if (!mark) return 'first run against this directory';
  if (mark.invocationId !== nextMark.invocationId) return `another DC or a restored DC (invocationId ${mark.invocationId} → ${nextMark.invocationId})`;
  const lastFull = deps.memory.lastFullRunAt();
  const ageDays = lastFull ? (deps.now().getTime() - lastFull.getTime()) / 86_400_000 : Infinity;
  if (ageDays > deps.fullEveryDays) return `last full read ${lastFull ? `${ageDays.toFixed(1)} days ago` : 'never'} (fullEveryDays ${deps.fullEveryDays})`;
  return undefined;
}

export async function planRead(deps: ReadPlanDeps, opts: ReadPlanOptions): Promise<ReadPlan> {
  const { directory, reader } = deps;
  const vanished: string[] = [];
  if (opts.user) return { mode: 'single', scope: await singleUserScope(directory, reader, selectorsFor(opts.user), opts.user), vanished };
  const nextMark = directory.directoryMark ? await directory.directoryMark() : undefined;
  const withMark = nextMark ? { nextMark } : {};
  const why = fullReadReason(deps, opts, nextMark);
  if (why !== undefined || !nextMark) {
    deps.log.info({ why }, 'full directory read');
    return { mode: 'full', scope: await directoryScope(directory.users(), reader), ...withMark, vanished };
  }
  const mark = deps.memory.mark() as HighWaterMark;
  deps.log.info({ sinceUsn: mark.usn.toString() }, 'incremental directory read');
  const users = concat(directory.users({ since: { invocationId: mark.invocationId, usn: mark.usn } }), () => pendingUsers(deps, opts, vanished));
  return { mode: 'incremental', scope: await directoryScope(users, reader), nextMark, vanished };
}
