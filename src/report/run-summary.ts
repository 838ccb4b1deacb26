/**
 * Renderers for a reconcile or fix run: the JSON summary schedulers read (docs/scheduling.md) and a text form.
 */
import type { ReconcileResult } from '../app/reconcile.js';

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
  /** ok | error: applied; planned: dry run; refused: threshold; blocked: tenant policy. */
  result: 'ok' | 'error' | 'planned' | 'refused' | 'blocked';
  error?: string;
}

export interface RunSummary {
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
    written: number;
    failed: number;
  };
  actions: RunAction[];
  verification?: { verified: boolean; distance: number | null; detail: string };
}

export function runSummary(r: ReconcileResult, exitCode: number, verification?: RunSummary['verification']): RunSummary {
  const results = new Map((r.applied?.applied ?? []).map((a) => [a.decision.user.objectGuid, a.result]));
  const actions: RunAction[] = r.plan.decisions
    .filter((d) => d.action !== 'skip' || d.status === 'blocked')
    .map((d) => {
      const res = results.get(d.user.objectGuid);
      const result: RunAction['result'] =
        d.status === 'blocked' ? 'blocked' : res ? (res.ok ? 'ok' : 'error') : r.refused ? 'refused' : 'planned';
      const error = res && !res.ok ? [res.errorId, res.message, res.advice].filter(Boolean).join(': ') : undefined;
      return {
        upn: d.user.upn, dn: d.user.dn, objectGuid: d.user.objectGuid, action: d.action, route: d.route, routeWhy: d.user.routeWhy, status: d.status, reason: d.reason,
        result, ...(error ? { error } : {}),
      };
    });
  const s = r.plan.summary;
  return {
    runId: r.runId,
    mode: r.mode,
    dryRun: r.dryRun,
    exitCode,
    refused: r.refused ?? null,
    policy: { source: r.policy.source, allowsCloudWrites: r.policy.allowsCloudWrites, detail: r.policy.detail },
    summary: {
      users: s.users, matched: s.matched, set: s.set, overwrite: s.overwrite, delete: s.delete, skip: s.skip, blocked: s.blocked,
      errors: r.errors, written: r.applied?.ok ?? 0, failed: r.applied?.failed ?? 0,
    },
    actions,
    ...(verification ? { verification } : {}),
  };
}

export function renderRunJson(s: RunSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export function renderRunText(s: RunSummary): string {
  const lines: string[] = [];
  const head = s.dryRun ? 'Plan (dry run, nothing written)' : s.refused ? 'Refused, nothing written' : 'Reconcile';
  lines.push(`${head}: run ${s.runId}, ${s.mode} read, ${s.summary.users} users looked at, ${s.summary.matched} matched`);
  if (s.refused) lines.push(`  refused: ${s.refused} (rerun with --force to apply anyway)`);
  if (!s.policy.allowsCloudWrites) lines.push(`  tenant policy: ${s.policy.detail}`);
  for (const a of s.actions) {
    const who = a.upn ?? a.dn;
    const outcome = a.result === 'error' ? `FAILED: ${a.error ?? ''}` : a.result;
    lines.push(`  ${a.action.padEnd(6)} ${who}  [${a.route}] ${a.reason} → ${outcome}`);
  }
  const x = s.summary;
  lines.push(
    `${x.set} to set (${x.overwrite} replacing a cloud photo), ${x.delete} to delete, ${x.blocked} blocked, ${x.errors} unreadable; ` +
      (s.dryRun || s.refused ? 'nothing written.' : `${x.written} written, ${x.failed} failed.`),
  );
  if (s.verification) lines.push(`verification: ${s.verification.detail}`);
  return `${lines.join('\n')}\n`;
}
