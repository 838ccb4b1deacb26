/**
 * The main job: observe → classify → decide per user (with state) → thresholds → apply → record.
 * Incremental by default: only users the directory changed since the last run (by uSNChanged on the same DC),
 * plus users whose last attempt failed; a full read when asked, when there is no usable mark, or when the last
 * full read is older than `fullEveryDays`.
 */
import type { Logger } from 'pino';
import type { PhotoWriter } from '../sync/apply/writer.js';
import { applyPlan, type ApplyOutcome } from '../sync/apply/apply.js';
import { createPhotoSpool, type PhotoSpool } from '../sync/apply/spool.js';
import { stopsTheRun } from '../errors.js';
import { unavailableWriter } from '../sync/apply/unavailable.js';
import type { CloudConnection } from '../cloud/connect.js';
import type { PhotoUpdatePolicy } from '../cloud/policy.js';
import type { Config } from '../config/schema.js';
import type { DirectorySource, HighWaterMark } from '../directory/source.js';
import type { OnPremUser, PhotoPrint, Route, SourcePhoto } from '../model.js';
import { fingerprint } from '../photo/fingerprint.js';
import { normaliseForUpload } from '../photo/normalise.js';
import pLimit from 'p-limit';
import { resolveClaims, type RememberedClaim } from '../sync/decide/claims.js';
import type { ClassifiedUser } from '../sync/decide/classify.js';
import { buildPlan, decide, type Decision, type Plan, type PlanOptions } from '../sync/decide/plan.js';
import type { AuditLog } from '../state/audit.js';
import { cloudPhashFor } from '../state/user-record.js';
import { deferredError, deferredKind } from '../state/pending.js';
import type { StateStore, UserState } from '../state/store.js';
import { classifyUsers, directoryScope, singleUserScope, type DriftScope } from '../sync/read/scope.js';
import { selectorsFor } from '../sync/read/identify.js';
import { comparator, routingFrom } from './wiring.js';

export interface ReconcileOptions {
  dryRun: boolean;
  full: boolean;
  reload: boolean;
  allowDelete: boolean;
  /** Apply even when a safety threshold refuses the plan. */
  force: boolean;
  /** One user only (`hps fix`). */
  user?: string;
}

export interface ReconcileDeps {
  cfg: Config;
  directory: DirectorySource;
  /** Identifies the directory in the state (marks are per directory). */
  directoryKey: string;
  cloud: Pick<CloudConnection, 'reader' | 'writer' | 'readPolicy'>;
  state: StateStore;
  audit?: AuditLog;
  runId: string;
  log: Logger;
  /** Writers for the Exchange routes, made only when a decision needs one. */
  exchangeWriter?: () => Promise<PhotoWriter>;
  now?: () => Date;
  onProgress?: (phase: 'read' | 'apply', done: number, total?: number) => void;
}

export type ReadMode = 'full' | 'incremental' | 'single';

/** Users whose observations are written to the state in one transaction (a durable SQLite write costs milliseconds). */
const SEEN_BATCH = 200;
/** Photos normalised for upload at once, and how many may wait for it before the read pauses. */
const PREPARE_CONCURRENCY = 4;
const PREPARE_BATCH = 20;

export interface ReconcileResult {
  runId: string;
  mode: ReadMode;
  dryRun: boolean;
  policy: PhotoUpdatePolicy;
  plan: Plan;
  applied?: ApplyOutcome;
  /** Users whose classification is `error` (could not be read or compared). */
  errors: number;
  /** Set when the plan was refused (threshold) and nothing was applied. */
  refused?: string;
}

interface ReadPlan {
  mode: ReadMode;
  scope: DriftScope;
  /** Mark to store after a successful run (taken before reading). */
  nextMark?: HighWaterMark;
}

async function* concat(first: AsyncIterable<OnPremUser>, rest: () => AsyncIterable<OnPremUser>): AsyncGenerator<OnPremUser> {
  const seen = new Set<string>();
  for await (const u of first) {
    seen.add(u.objectGuid.toLowerCase());
    yield u;
  }
  for await (const u of rest()) if (!seen.has(u.objectGuid.toLowerCase())) yield u;
}

/**
 * Pending users (failed, or deferred: see state/pending.ts), read one by one. Users blocked by the tenant policy are
 * left out while the policy still blocks. A pending user the directory no longer returns (deleted, out of scope)
 * stops being pending.
 */
async function* pendingUsers(deps: ReconcileDeps, opts: ReconcileOptions, policy: PhotoUpdatePolicy): AsyncGenerator<OnPremUser> {
  for (const s of deps.state.usersWithPendingErrors()) {
    if (!policy.allowsCloudWrites && deferredKind(s) === 'blocked') continue;
    let found = false;
    for await (const u of deps.directory.users({ only: { by: 'objectGuid', value: s.objectGuid } })) {
      found = true;
      yield u;
    }
    if (!found && !opts.dryRun) deps.state.upsertUser({ objectGuid: s.objectGuid, ...NOT_PENDING, cloudId: null });
  }
}

/** The patch that ends a user's pending state. */
const NOT_PENDING = { attempts: 0, lastResult: null, lastError: null } as const;

async function planRead(deps: ReconcileDeps, opts: ReconcileOptions, policy: PhotoUpdatePolicy): Promise<ReadPlan> {
  const reader = deps.cloud.reader;
  if (opts.user) return { mode: 'single', scope: await singleUserScope(deps.directory, reader, selectorsFor(opts.user), opts.user) };
  const nextMark = deps.directory.directoryMark ? await deps.directory.directoryMark() : undefined;
  const withMark = nextMark ? { nextMark } : {};
  const full = async (why: string): Promise<ReadPlan> => {
    deps.log.info({ why }, 'full directory read');
    return { mode: 'full', scope: await directoryScope(deps.directory.users(), reader), ...withMark };
  };
  if (opts.full) return full('--full');
  if (opts.reload) return full('--reload');
  if (!nextMark) return full('the directory source has no change tracking');
  const mark = deps.state.getMark(deps.directoryKey);
  if (!mark) return full('first run against this directory');
  if (mark.invocationId !== nextMark.invocationId) return full(`another DC or a restored DC (invocationId ${mark.invocationId} → ${nextMark.invocationId})`);
  const lastFull = deps.state.lastFullRunAt(deps.directoryKey);
  const now = (deps.now ?? (() => new Date()))();
  const ageDays = lastFull ? (now.getTime() - lastFull.getTime()) / 86_400_000 : Infinity;
  if (ageDays > deps.cfg.reconcile.fullEveryDays) return full(`last full read ${lastFull ? `${ageDays.toFixed(1)} days ago` : 'never'} (fullEveryDays ${deps.cfg.reconcile.fullEveryDays})`);
  const since = { invocationId: mark.invocationId, usn: mark.usn };
  deps.log.info({ sinceUsn: mark.usn.toString() }, 'incremental directory read');
  const users = concat(deps.directory.users({ since }), () => pendingUsers(deps, opts, policy));
  return { mode: 'incremental', scope: await directoryScope(users, reader), nextMark };
}

/**
 * What the state remembers of a user. A user whose objectGUID could not be read (it is reported as `error`) has no
 * key, so nothing is remembered of it: it is planned from what this run saw and read again by the next full run.
 */
function remembered(state: StateStore, objectGuid: string): UserState | undefined {
  return objectGuid === '' ? undefined : state.getUser(objectGuid);
}

/** Users the state knows as matched to a cloud user: the population the percentage threshold is taken of. */
function knownMatchedUsers(state: StateStore): number {
  let n = 0;
  for (const u of state.allUsers()) if (u.cloudId) n += 1;
  return n;
}

/** The fingerprint remembered for a user's cloud photo at this etag, if any. */
function rememberedPrint(state: StateStore): (guid: string, etag: string) => PhotoPrint | undefined {
  return (guid, etag) => {
    const phash = cloudPhashFor(remembered(state, guid), etag);
    return phash ? { sha256: `remembered:${etag}`, phash, width: 0, height: 0 } : undefined;
  };
}

/** Normalises a photo for upload and spools it; a photo that cannot be normalised turns the decision into an error. */
async function prepareUpload(d: Decision, photo: SourcePhoto | undefined, spool: PhotoSpool): Promise<Decision> {
  if (!photo) return { ...d, action: 'skip', status: 'error', reason: 'no source photo to upload' };
  try {
    const { jpeg } = await normaliseForUpload(photo.bytes);
    await spool.put(d.user.objectGuid, { jpeg, print: await fingerprint(jpeg) });
    return d;
  } catch (err) {
    return { ...d, action: 'skip', status: 'error', reason: `cannot prepare the photo for upload: ${(err as Error).message}` };
  }
}

function planOptions(cfg: Config, opts: ReconcileOptions, policy: PhotoUpdatePolicy): PlanOptions {
  return {
    cloudChangedPolicy: cfg.reconcile.cloudChangedPolicy,
    allowDelete: opts.allowDelete || cfg.reconcile.allowDelete,
    reload: opts.reload,
    cloudWritesAllowed: policy.allowsCloudWrites,
    cloudWritesBlockedWhy: policy.detail,
  };
}

/** Who the state says claims each cloud user: owners (and tied parties) an incremental run or `fix` does not read. */
function rememberedClaims(state: StateStore): (cloudId: string) => RememberedClaim[] {
  const claims = new Map<string, RememberedClaim[]>();
  for (const u of state.allUsers()) {
    if (!u.cloudId) continue;
    const claim = { objectGuid: u.objectGuid, ...(u.dn ? { dn: u.dn } : {}) };
    const list = claims.get(u.cloudId);
    if (list) list.push(claim);
    else claims.set(u.cloudId, [claim]);
  }
  return (cloudId) => claims.get(cloudId) ?? [];
}

/** Why a user stays pending although nothing failed: it waits for its cloud account, or for the tenant policy. */
function deferral(u: ClassifiedUser, d: Decision): string | undefined {
  if (d.status === 'blocked') return deferredError('blocked', d.reason);
  if (u.status === 'unmatched' && u.sourceSha256 !== null) return deferredError('waiting', u.reason);
  return undefined;
}

/** What the run saw, kept in state so the next run can skip unchanged work. Not in dry runs. */
function recordSeen(deps: ReconcileDeps, u: ClassifiedUser, d: Decision, contested: string | undefined): void {
  const s = deps.state;
  if (u.objectGuid === '') return; // no key to remember it by (see remembered())
  const before = s.getUser(u.objectGuid);
  const deferred = deferral(u, d);
  // A user that was pending and needs nothing now is no longer pending.
  const settled = d.action === 'skip' && d.status !== 'error' && !deferred && before?.lastResult === 'error' ? NOT_PENDING : {};
  // A user matched to nobody this run owns no cloud user (and no longer counts in the threshold population); a
  // party to a tie keeps the contested cloud user as its claim, so a later run that reads only the other party
  // does not hand it over.
  s.upsertUser({ objectGuid: u.objectGuid, dn: u.dn, ...(u.upn ? { upn: u.upn } : {}), cloudId: u.cloudId ?? contested ?? null, route: u.route, ...settled });
  // In sync: the cloud photo is this source photo, as good as pushed by us. Remember both sides, so a later
  // change is attributed to the right side (cloud-changed policy) and a cleared source may delete it.
  if (u.status === 'in-sync' && u.sourceSha256 && u.sourcePhash && u.cloudEtag && d.action === 'skip') {
    s.upsertUser({ objectGuid: u.objectGuid, sourceSha256: u.sourceSha256, sourcePhash: u.sourcePhash, cloudEtagAfterPush: u.cloudEtag });
  }
  if (u.cloudId && u.status !== 'error' && u.status !== 'unmatched') {
    const downloaded = u.cloudPhash && u.cloudEtag ? { phash: u.cloudPhash } : {};
    s.recordCloudSeen({ objectGuid: u.objectGuid, etag: u.cloudEtag, runId: deps.runId, ...downloaded });
  }
  if (d.status === 'error') s.recordFailure({ objectGuid: u.objectGuid, runId: deps.runId, error: d.reason, action: 'skip' });
  // Deferred: pending like a failure, but no attempt counted and what was pushed before untouched.
  else if (deferred) s.upsertUser({ objectGuid: u.objectGuid, lastResult: 'error', lastError: deferred, lastRunId: deps.runId });
}

/**
 * Records what the run saw, a transaction per SEEN_BATCH users. After a full read, users the state knows but the
 * directory no longer yields (deleted, moved out of scope) lose their cloud claim and stop being pending.
 */
function recordRun(deps: ReconcileDeps, seen: ReadonlyArray<{ u: ClassifiedUser; d: Decision }>, contested: ReadonlyMap<string, string>, full: boolean): void {
  for (let i = 0; i < seen.length; i += SEEN_BATCH) {
    deps.state.transaction(() => {
      for (const { u, d } of seen.slice(i, i + SEEN_BATCH)) recordSeen(deps, u, d, contested.get(u.objectGuid.toLowerCase()));
    });
  }
  if (!full) return;
  const inRun = new Set(seen.map((x) => x.u.objectGuid.toLowerCase()));
  const gone: string[] = [];
  for (const s of deps.state.allUsers()) {
    if ((s.cloudId !== undefined || s.lastResult === 'error') && !inRun.has(s.objectGuid.toLowerCase())) gone.push(s.objectGuid);
  }
  deps.state.transaction(() => {
    for (const objectGuid of gone) deps.state.upsertUser({ objectGuid, cloudId: null, ...NOT_PENDING });
  });
}

async function writersFor(decisions: readonly Decision[], deps: ReconcileDeps): Promise<Partial<Record<Route, PhotoWriter>>> {
  const writers: Partial<Record<Route, PhotoWriter>> = { graph: deps.cloud.writer };
  const needsExchange = decisions.some((d) => d.action !== 'skip' && d.route !== 'graph');
  if (needsExchange && deps.exchangeWriter) {
    try {
      const w = await deps.exchangeWriter();
      writers[w.route] = w;
    } catch (err) {
      if (stopsTheRun(err)) throw err;
      // No PowerShell, no session: the Exchange users fail (and are retried next run); the Graph users go on.
      deps.log.error({ err }, 'the Exchange bridge cannot start; its users are recorded as failed and retried next run');
      for (const route of ['exchange-onprem', 'exchange-legacy'] as const) writers[route] = unavailableWriter(route, err);
    }
  }
  return writers;
}

export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileResult> {
  const { cfg } = deps;
  const policy = await deps.cloud.readPolicy();
  if (!policy.allowsCloudWrites) deps.log.warn(`${policy.detail} Users routed to Graph are reported as blocked, not failed.`);
  else if (policy.source === 'unknown') deps.log.warn(`tenant photo policy unknown, assuming cloud writes are allowed: ${policy.detail}`);
  const read = await planRead(deps, opts, policy);
  const popts = planOptions(cfg, opts, policy);
  const spool = await createPhotoSpool();
  try {
    const seen: Array<{ u: ClassifiedUser; d: Decision }> = [];
    // Normalising for upload is CPU work (sharp, off the main thread): a few at a time while the read goes on.
    const prepareLimit = pLimit(PREPARE_CONCURRENCY);
    let preparing: Promise<void>[] = [];
    for await (const item of classifyUsers(
      {
        reader: deps.cloud.reader,
        fingerprint: (b) => fingerprint(b),
        compare: comparator(cfg),
        matchOrder: cfg.matching.order,
        routing: routingFrom(cfg),
        knownCloudPrint: rememberedPrint(deps.state),
      },
      read.scope,
    )) {
      const u = item.user;
      const entry = { u, d: decide(u, remembered(deps.state, u.objectGuid), popts) };
      seen.push(entry);
      if (entry.d.action === 'set' && !opts.dryRun) {
        const photo = item.photo;
        preparing.push(prepareLimit(async () => void (entry.d = await prepareUpload(entry.d, photo, spool))));
        if (preparing.length >= PREPARE_BATCH) {
          await Promise.all(preparing);
          preparing = [];
        }
      }
      deps.onProgress?.('read', seen.length);
    }
    await Promise.all(preparing);

    // One cloud user, one owner: settled over the whole run, then those who lost their claim are decided again.
    const claims = resolveClaims(seen.map((x) => x.u), read.mode === 'full' ? undefined : rememberedClaims(deps.state));
    claims.users.forEach((u, i) => {
      const x = seen[i] as { u: ClassifiedUser; d: Decision };
      if (u !== x.u) seen[i] = { u, d: decide(u, remembered(deps.state, u.objectGuid), popts) };
    });
    // The population the percentage threshold is taken of, as the state knew it before this run (so a dry run
    // and the real run judge the same plan the same way).
    const population = knownMatchedUsers(deps.state);
    if (!opts.dryRun) recordRun(deps, seen, claims.contested, read.mode === 'full');
    const decisions = seen.map((x) => x.d);
    const errors = decisions.filter((d) => d.status === 'error').length;
    const conflicts = decisions.filter((d) => d.conflict).length;
    if (conflicts > 0) {
      deps.log.warn(`${conflicts} cloud photo(s) changed by someone else since our push are left as they are (cloudChangedPolicy report); the summary lists them under attention`);
    }
    const plan = buildPlan(decisions, {
      deleteThreshold: cfg.reconcile.deleteThreshold,
      changeThreshold: cfg.reconcile.changeThreshold,
      changeThresholdPercent: cfg.reconcile.changeThresholdPercent,
      percentFloor: 20,
      population,
    });
    const base = { runId: deps.runId, mode: read.mode, dryRun: opts.dryRun, policy, plan, errors };
    if (plan.refusal && !opts.force) {
      deps.log.error(`refusing to apply: ${plan.refusal}. Nothing was written. Check the source, then rerun with --force to apply anyway.`);
      return { ...base, refused: plan.refusal };
    }
    if (plan.refusal) deps.log.warn(`applying despite: ${plan.refusal} (--force)`);
    if (opts.dryRun) {
      for (const d of decisions.filter((x) => x.action !== 'skip')) {
        deps.audit?.write({ runId: deps.runId, dn: d.user.dn, objectGuid: d.user.objectGuid, ...(d.user.upn ? { upn: d.user.upn } : {}), action: d.action, route: d.route, reason: d.reason, result: 'dry-run' });
      }
      return base;
    }
    const writers = await writersFor(decisions, deps);
    try {
      const applied = await applyPlan(decisions, {
        writers,
        spool,
        state: deps.state,
        ...(deps.audit ? { audit: deps.audit } : {}),
        runId: deps.runId,
        onProgress: (done, total) => deps.onProgress?.('apply', done, total),
      });
      // The mark moves only after everything was looked at; failed, waiting and blocked users stay pending and are
      // read again by later runs.
      if (read.nextMark) {
        deps.state.setMark(deps.directoryKey, { ...read.nextMark, at: (deps.now ?? (() => new Date()))() });
        if (read.mode === 'full') deps.state.recordFullRun(deps.directoryKey);
      }
      return { ...base, applied };
    } finally {
      for (const [route, w] of Object.entries(writers)) if (route !== 'graph') await w?.close();
    }
  } finally {
    await spool.dispose();
  }
}
