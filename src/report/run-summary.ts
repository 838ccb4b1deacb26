/**
 * The summary of a reconcile or fix run, as data: what schedulers read (docs/scheduling.md, `--output json`) and
 * what run-text.ts renders for people. Built from the run's result; imports no use case.
 */
import type { ApplyOutcome } from '../sync/apply/apply.js';
import type { Decision } from '../sync/decide/plan.js';
import type { PlanSummary } from '../sync/decide/thresholds.js';

/** What a sync run hands the summary (the sync use case's result has this shape). */
export interface RunResult {
  runId: string;
  mode: string;
  dryRun: boolean;
  policy: { source: string; allowsCloudWrites: boolean; detail: string };
  plan: { decisions: readonly Decision[]; summary: PlanSummary };
  applied?: ApplyOutcome;
  /** Users whose decision is `error`. */
  errors: number;
  /** Why a threshold refused the plan (nothing was applied). */
  refused?: string;
}

export interface RunAction {
  upn: string | null;
  dn: string;
  objectGuid: string;
  action: string;
  route: string;
  /** Why this route (mailbox location or an override). */
  routeWhy: string;
  status: string;
  reason: string;
  /** ok | error: applied; planned: dry run; refused: threshold; blocked: tenant policy; skipped: `fix`, nothing to do. */
  result: 'ok' | 'error' | 'planned' | 'refused' | 'blocked' | 'skipped';
  error?: string;
}

/** A user the run did not write and a person should look at. */
export interface AttentionItem {
  upn: string | null;
  dn: string;
  objectGuid: string;
  /** error: could not be read, compared or prepared; cloud-changed: someone else changed the cloud photo (policy report). */
  kind: 'error' | 'cloud-changed' | 'overwritten-by-directory-sync';
  status: string;
  reason: string;
}

/** The run's Graph traffic as the cloud connection's in-flight budget counted it (docs/troubleshooting.md). */
export interface GraphTraffic {
  /** Units of work answered: plain requests plus $batch items. */
  requests: number;
  /** Answers 429. */
  throttled: number;
  /** Retry-After and backoff waits, summed over requests (they wait side by side). */
  waitedMs: number;
  /** Highest in-flight allowance reached, and the configured ceiling (cloud.maxInFlight). */
  peakInFlight: number;
  maxInFlight: number;
}

function attentionKind(d: { status: string; overwrittenBySync?: boolean }): AttentionItem['kind'] {
  if (d.status === 'error') return 'error';
  return d.overwrittenBySync ? 'overwritten-by-directory-sync' : 'cloud-changed';
}

export interface RunSummary {
  command: 'reconcile' | 'fix';
  runId: string;
  mode: string;
  dryRun: boolean;
  exitCode: number;
  refused: string | null;
  policy: { source: string; allowsCloudWrites: boolean; detail: string };
  /** The plan's counts (without the per-route split), then what came of them. */
  summary: Omit<PlanSummary, 'byRoute'> & {
    errors: number;
    /** Users whose cloud photo someone else changed, left as they are by cloudChangedPolicy `report`. */
    cloudChanged: number;
    /** Users whose full-size push directory sync replaced with AD's thumbnail: not pushed again, see the advice. */
    overwrittenBySync: number;
    /** In-sync users whose cloud photo was replaced by a copy of the same picture since our push (nothing to do). */
    replacedBySamePicture: number;
    written: number;
    failed: number;
  };
  actions: RunAction[];
  /** Errors and cloud-changed conflicts: the skipped users that need a person (see `AttentionItem`). */
  attention: AttentionItem[];
  verification?: { verified: boolean; distance: number | null; detail: string };
  graph?: GraphTraffic;
}

/**
 * The summary of a reconcile or a fix. A fix (one user) lists its user among the actions even when skipped, so the
 * user's plan is always shown with its reason.
 */
export function runSummary(
  r: RunResult,
  exitCode: number,
  opts: { command?: RunSummary['command']; verification?: RunSummary['verification']; graph?: GraphTraffic } = {},
): RunSummary {
  const command = opts.command ?? 'reconcile';
  const everyUser = command === 'fix';
  const { verification } = opts;
  const results = new Map((r.applied?.applied ?? []).map((a) => [a.decision.user.objectGuid, a.result]));
  const actions: RunAction[] = r.plan.decisions
    .filter((d) => everyUser || d.action !== 'skip' || d.status === 'blocked')
    .map((d) => {
      const res = results.get(d.user.objectGuid);
      const result: RunAction['result'] =
        d.status === 'blocked' ? 'blocked' : d.action === 'skip' ? 'skipped' : res ? (res.ok ? 'ok' : 'error') : r.refused ? 'refused' : 'planned';
      const error = res && !res.ok ? [res.errorId, res.message, res.advice].filter(Boolean).join(': ') : undefined;
      return {
        upn: d.user.upn, dn: d.user.dn, objectGuid: d.user.objectGuid, action: d.action, route: d.route, routeWhy: d.user.routeWhy, status: d.status, reason: d.reason,
        result, ...(error ? { error } : {}),
      };
    });
  const attention: AttentionItem[] = r.plan.decisions
    .filter((d) => d.action === 'skip' && (d.status === 'error' || d.conflict === true || d.overwrittenBySync === true))
    .map((d) => ({
      upn: d.user.upn, dn: d.user.dn, objectGuid: d.user.objectGuid, kind: attentionKind(d), status: d.status, reason: d.reason,
    }));
  const s = r.plan.summary;
  return {
    command,
    runId: r.runId,
    mode: r.mode,
    dryRun: r.dryRun,
    exitCode,
    refused: r.refused ?? null,
    policy: { source: r.policy.source, allowsCloudWrites: r.policy.allowsCloudWrites, detail: r.policy.detail },
    summary: {
      users: s.users, matched: s.matched, set: s.set, overwrite: s.overwrite, delete: s.delete, skip: s.skip, blocked: s.blocked,
      errors: r.errors, cloudChanged: attention.filter((a) => a.kind === 'cloud-changed').length,
      overwrittenBySync: attention.filter((a) => a.kind === 'overwritten-by-directory-sync').length,
      replacedBySamePicture: r.plan.decisions.filter((d) => d.replacedBySamePicture === true).length,
      written: r.applied?.ok ?? 0, failed: r.applied?.failed ?? 0,
    },
    actions,
    attention,
    ...(verification ? { verification } : {}),
    ...(opts.graph ? { graph: opts.graph } : {}),
  };
}
