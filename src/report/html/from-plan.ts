/**
 * A reconcile or fix plan (`--dry-run --output html`) or run as an HtmlPage: every decision with its action and
 * outcome, the photos of users that need attention side by side.
 */
import { STATUSES } from '../../model.js';
import type { ClassifiedUser } from '../../sync/decide/classify.js';
import type { RunSummary } from '../run-summary.js';
import { rowOf } from './from-report.js';
import type { HtmlPage, UserVisual } from './page.js';

/** One planned decision, as the planner makes it (only what the page shows). */
export interface PlanDecision {
  user: ClassifiedUser;
  status: string;
  action: string;
  reason: string;
  route: string;
}

export function planPage(decisions: readonly PlanDecision[], summary: RunSummary, visuals?: ReadonlyMap<string, UserVisual>, now: Date = new Date()): HtmlPage {
  const outcome = new Map(summary.actions.map((a) => [a.objectGuid, a]));
  const rows = decisions.map((d) => {
    const a = outcome.get(d.user.objectGuid);
    return {
      ...rowOf(d.user, visuals?.get(d.user.objectGuid)),
      status: d.status,
      reason: a?.error ? `${d.reason} — ${a.error}` : d.reason,
      route: d.route,
      action: d.action,
      result: a?.result ?? (d.action === 'skip' ? 'skipped' : 'planned'),
    };
  });
  const counts = new Map<string, number>(STATUSES.map((s) => [s, 0]));
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const name = summary.command === 'fix' ? 'Fix' : 'Reconcile';
  const s = summary.summary;
  const what = summary.dryRun ? 'plan (dry run, nothing written)' : summary.refused ? 'refused, nothing written' : 'run';
  const tail = summary.dryRun || summary.refused ? '' : ` ${s.written} written, ${s.failed} failed.`;
  const notes = [
    ...(summary.refused ? [`refused: ${summary.refused} (rerun with --force to apply anyway)`] : []),
    ...(!summary.policy.allowsCloudWrites || summary.policy.source === 'unknown' ? [`tenant policy: ${summary.policy.detail}`] : []),
  ];
  return {
    kind: 'plan',
    title: `${name} ${what}`,
    subtitle: `Run ${summary.runId}, ${summary.mode} read: ${s.set} to set (${s.overwrite} replacing a cloud photo), ${s.delete} to delete, ${s.blocked} blocked, ${s.errors} unreadable.${tail}`,
    generatedAt: now.toISOString(),
    counts: [...counts],
    notes,
    rows,
  };
}
