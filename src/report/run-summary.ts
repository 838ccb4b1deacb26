/**
 * Renderers for a reconcile or fix run: the JSON summary schedulers read (docs/scheduling.md) and a text form.
 */
import type { ReconcileResult } from '../usecases/sync.js';

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
  kind: 'error' | 'cloud-changed';
  status: string;
  reason: string;
}

/** How many attention items the text form lists before pointing at `--output json`. */
const TEXT_ATTENTION_LIMIT = 20;

export interface RunSummary {
  command: 'reconcile' | 'fix';
  runId: string;
  mode: string;
  dryRun: boolean;
  exitCode: number;
  refused: string | null;
  policy: { source: string; allowsCloudWrites: boolean; detail: string };
  summary: {
    users: number;
    matched: number;
    set: number;
    overwrite: number;
    delete: number;
    skip: number;
    blocked: number;
    errors: number;
    /** Users whose cloud photo someone else changed, left as they are by cloudChangedPolicy `report`. */
    cloudChanged: number;
    written: number;
    failed: number;
  };
  actions: RunAction[];
  /** Errors and cloud-changed conflicts: the skipped users that need a person (see `AttentionItem`). */
  attention: AttentionItem[];
  verification?: { verified: boolean; distance: number | null; detail: string };
}

/**
 * The summary of a reconcile or a fix. A fix (one user) lists its user among the actions even when skipped, so the
 * user's plan is always shown with its reason.
 */
export function runSummary(
  r: ReconcileResult,
  exitCode: number,
  opts: { command?: RunSummary['command']; verification?: RunSummary['verification'] } = {},
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
    .filter((d) => d.action === 'skip' && (d.status === 'error' || d.conflict === true))
    .map((d) => ({
      upn: d.user.upn, dn: d.user.dn, objectGuid: d.user.objectGuid, kind: d.status === 'error' ? 'error' : 'cloud-changed', status: d.status, reason: d.reason,
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
      written: r.applied?.ok ?? 0, failed: r.applied?.failed ?? 0,
    },
    actions,
    attention,
    ...(verification ? { verification } : {}),
  };
}

export function renderRunJson(s: RunSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export function renderRunText(s: RunSummary): string {
  const lines: string[] = [];
  const name = s.command === 'fix' ? 'Fix' : 'Reconcile';
  const head = s.dryRun ? `${name} plan (dry run, nothing written)` : s.refused ? `${name} refused, nothing written` : name;
  lines.push(`${head}: run ${s.runId}, ${s.mode} read, ${plural(s.summary.users, 'user')} looked at, ${s.summary.matched} matched`);
  if (s.refused) lines.push(`  refused: ${s.refused} (rerun with --force to apply anyway)`);
  if (!s.policy.allowsCloudWrites || s.policy.source === 'unknown') lines.push(`  tenant policy: ${s.policy.detail}`);
  for (const a of s.actions) {
    const who = a.upn ?? a.dn;
    const outcome = a.result === 'error' ? `FAILED: ${a.error ?? ''}` : a.result;
    lines.push(`  ${a.action.padEnd(6)} ${who}  [${a.route}] ${a.reason} → ${outcome}`);
  }
  const listed = new Set(s.actions.map((a) => a.objectGuid));
  const attention = s.attention.filter((a) => !listed.has(a.objectGuid));
  if (attention.length > 0) {
    lines.push(`Needs attention (${attention.length}, not written):`);
    for (const a of attention.slice(0, TEXT_ATTENTION_LIMIT)) {
      lines.push(`  ${(a.kind === 'error' ? 'error' : 'cloud changed').padEnd(13)} ${a.upn ?? a.dn}  ${a.reason}`);
    }
    if (attention.length > TEXT_ATTENTION_LIMIT) lines.push(`  … and ${attention.length - TEXT_ATTENTION_LIMIT} more (--output json lists all)`);
  }
  const x = s.summary;
  const changed = x.cloudChanged > 0 ? `, ${x.cloudChanged} changed in the cloud by someone else (left as they are)` : '';
  lines.push(
    `${x.set} to set (${x.overwrite} replacing a cloud photo), ${x.delete} to delete, ${x.blocked} blocked, ${x.errors} unreadable${changed}; ` +
      (s.dryRun || s.refused ? 'nothing written.' : `${x.written} written, ${x.failed} failed.`),
  );
  if (s.verification) lines.push(`verification: ${s.verification.detail}`);
  return `${lines.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
