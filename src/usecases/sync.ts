/**
 * The sync use case (`hps reconcile`, and `hps fix` for one user): orchestration only. One user flows through each
 * stage once, in order: read (sync/read) → classify and decide (sync/decide) → prepare its upload (sync/apply);
 * after the read, claims are settled over the whole run, the recorder keeps what the run saw, the thresholds judge
 * the plan, and the apply stage writes it through the writer port, recording each batch as it lands.
 */
import type { Logger } from 'pino';
import type { CloudConnection } from '../cloud/connect.js';
import type { PhotoUpdatePolicy } from '../cloud/policy.js';
import type { Config } from '../config/schema.js';
import type { DirectorySource } from '../directory/source.js';
import { fingerprint } from '../photo/fingerprint.js';
import type { AuditLog } from '../state/audit.js';
import type { StateStore } from '../state/store.js';
import { applyPlan, type ApplyOutcome } from '../sync/apply/apply.js';
import { prepareUpload, uploadPreparer } from '../sync/apply/prepare.js';
import { createRecorder } from '../sync/apply/record.js';
import { createPhotoSpool } from '../sync/apply/spool.js';
import { closeWriters, writersFor } from '../sync/apply/writers.js';
import type { PhotoWriter } from '../sync/apply/writer.js';
import { classify } from '../sync/decide/classify.js';
import { decide, type Decision, type PlanOptions } from '../sync/decide/plan.js';
import { settleClaims } from '../sync/decide/settle.js';
import { buildPlan, type Plan } from '../sync/decide/thresholds.js';
import { planRead, type ReadMode } from '../sync/read/read-plan.js';
import { observeScope } from '../sync/read/scope.js';
import { prefetched, readMemory, recallOnce, rememberedPrint, rememberedSourcePrint, runMemory } from './memory.js';
import type { ThumbnailCollector } from './thumbnails.js';
import { allowanceOf, comparator, routingFrom, thresholdsFrom } from './wiring.js';

export interface SyncOptions {
  dryRun: boolean;
  full: boolean;
  reload: boolean;
  allowDelete: boolean;
  /** Apply even when a safety threshold refuses the plan. */
  force: boolean;
  /** One user only (`hps fix`). */
  user?: string;
}

export interface SyncDeps {
  cfg: Config;
  directory: DirectorySource;
  /** Identifies the directory in the state (marks are per directory). */
  directoryKey: string;
  /** With its in-flight budget (`limiter`), the read window follows the budget's allowance. */
  cloud: Pick<CloudConnection, 'reader' | 'writer' | 'readPolicy'> & Partial<Pick<CloudConnection, 'limiter'>>;
  state: StateStore;
  audit?: AuditLog;
  runId: string;
  log: Logger;
  /** Writers for the Exchange routes, made only when a decision needs one. */
  exchangeWriter?: () => Promise<PhotoWriter>;
  now?: () => Date;
  onProgress?: (phase: 'read' | 'apply', done: number, total?: number) => void;
  /**
   * For the HTML plan: thumbnails of users needing attention, made from the bytes as they pass by. Cloud photos are
   * then downloaded even when a fingerprint of them is remembered, so the page can show them.
   */
  thumbnails?: ThumbnailCollector;
}

export interface SyncResult {
  runId: string;
  mode: ReadMode;
  dryRun: boolean;
  policy: PhotoUpdatePolicy;
  plan: Plan;
  applied?: ApplyOutcome;
  /** Users whose decision is `error` (could not be read, compared or prepared). */
  errors: number;
  /** Set when the plan was refused (threshold) and nothing was applied. */
  refused?: string;
}

function planOptions(cfg: Config, opts: SyncOptions, policy: PhotoUpdatePolicy): PlanOptions {
  return {
    cloudChangedPolicy: cfg.reconcile.cloudChangedPolicy,
    allowDelete: opts.allowDelete || cfg.reconcile.allowDelete,
    reload: opts.reload,
    cloudWritesAllowed: policy.allowsCloudWrites,
    cloudWritesBlockedWhy: policy.detail,
  };
}

export async function runSync(deps: SyncDeps, opts: SyncOptions): Promise<SyncResult> {
  const { cfg, log } = deps;
  const now = deps.now ?? (() => new Date());
  // The tenant policy is read while the read plan lists the cloud users (one round trip less before the first batch);
  // the listing is asked first, so it takes the connection sign-in opened and the policy waits for a new one.
  let policyP: Promise<PhotoUpdatePolicy> | undefined;
  const policyOnce = (): Promise<PhotoUpdatePolicy> => (policyP ??= deps.cloud.readPolicy());
  const readP = planRead(
    { directory: deps.directory, reader: deps.cloud.reader, memory: readMemory(deps.state, deps.directoryKey), fullEveryDays: cfg.reconcile.fullEveryDays, now, log },
    { full: opts.full, reload: opts.reload, ...(opts.user ? { user: opts.user } : {}), cloudWritesBlocked: async () => !(await policyOnce()).allowsCloudWrites },
  );
  setImmediate(() => void policyOnce().catch(() => undefined)); // awaited below, after the read plan (its failure first)
  const read = await readP;
  const policy = await policyOnce();
  if (!policy.allowsCloudWrites) log.warn(`${policy.detail} Users routed to Graph are reported as blocked, not failed.`);
  else if (policy.source === 'unknown') log.warn(`tenant photo policy unknown, assuming cloud writes are allowed: ${policy.detail}`);
  const recalled = recallOnce(deps.state); // read-phase lookups; the recorder writes only after the read
  const memory = runMemory(recalled, read.vanished);
  const popts = planOptions(cfg, opts, policy);
  const recorder = createRecorder({ state: deps.state, ...(deps.audit ? { audit: deps.audit } : {}), runId: deps.runId });
  const spool = await createPhotoSpool();
  try {
    // Read → classify → decide, one user at a time; a photo to upload is prepared while the read goes on.
    // Users complete in any order; `seqs` keeps each one's place in the directory stream.
    const decided: Decision[] = [];
    const seqs: number[] = [];
    const preparer = uploadPreparer(decided, spool, prepareUpload);
    const { thumbnails } = deps;
    const readDeps = {
      reader: deps.cloud.reader, fingerprint, matchOrder: cfg.matching.order, routing: routingFrom(cfg), knownSourcePrint: rememberedSourcePrint(recalled),
      ...(thumbnails ? { keepCloudBytes: true } : { knownCloudPrint: rememberedPrint(recalled) }),
      ...allowanceOf(deps.cloud),
    };
    const compare = comparator(cfg);
    const scope = { ...read.scope, users: prefetched(read.scope.users, recalled) };
    for await (const { observation, photo, cloudPhoto, seq } of observeScope(readDeps, scope)) {
      const u = classify(observation, compare);
      const d = decide(u, memory.user(u.objectGuid), popts);
      decided.push(d);
      seqs.push(seq);
      await thumbnails?.add({ objectGuid: u.objectGuid, status: d.status, ...(photo ? { source: photo.bytes } : {}), ...(cloudPhoto ? { cloud: cloudPhoto } : {}) });
      if (d.action === 'set' && !opts.dryRun) await preparer.add(decided.length - 1, photo);
      deps.onProgress?.('read', decided.length);
    }
    await preparer.done();
    const inOrder = decided.map((_, i) => i).sort((a, b) => (seqs[a] as number) - (seqs[b] as number)).map((i) => decided[i] as Decision);

    // One cloud user, one owner, settled over the whole run.
    const settled = settleClaims(inOrder, read.mode === 'full' ? undefined : (id) => memory.claims(id));
    const plan = buildPlan(settled.decisions, thresholdsFrom(cfg, memory.knownMatched()));
    if (!opts.dryRun) recorder.seen(plan.decisions, { contested: settled.contested, full: read.mode === 'full', vanished: read.vanished, holders: memory.holders() });
    const errors = plan.decisions.filter((d) => d.status === 'error').length;
    const conflicts = plan.decisions.filter((d) => d.conflict).length;
    if (conflicts > 0) {
      log.warn(`${conflicts} cloud photo(s) changed by someone else since our push are left as they are (cloudChangedPolicy report); the summary lists them under attention`);
    }
    const overwritten = plan.decisions.filter((d) => d.overwrittenBySync).length;
    if (overwritten > 0) {
      log.warn(`${overwritten} full-size photo(s) pushed earlier were overwritten by directory sync with AD's thumbnail; not pushed again (the summary lists them under attention, with advice)`);
    }
    const base = { runId: deps.runId, mode: read.mode, dryRun: opts.dryRun, policy, plan, errors };
    if (plan.refusal && !opts.force) {
      log.error(`refusing to apply: ${plan.refusal}. Nothing was written. Check the source, then rerun with --force to apply anyway.`);
      return { ...base, refused: plan.refusal };
    }
    if (plan.refusal) log.warn(`applying despite: ${plan.refusal} (--force)`);
    if (opts.dryRun) {
      recorder.planned(plan.decisions);
      return base;
    }
    const writers = await writersFor(plan.decisions, deps.cloud.writer, deps.exchangeWriter, log);
    try {
      const applied = await applyPlan(plan.decisions, { writers, spool, recorder, onProgress: (done, total) => deps.onProgress?.('apply', done, total) });
      // The mark moves only after everything was looked at; failed, waiting and blocked users stay pending and are
      // read again by later runs.
      recorder.finished(deps.directoryKey, read.nextMark, now(), read.mode === 'full');
      return { ...base, applied };
    } finally {
      await closeWriters(writers);
    }
  } finally {
    await spool.dispose();
  }
}
