/**
 * Renderers for a reconcile or fix summary: JSON for schedulers, text for people.
 */
import type { RunSummary } from './run-summary.js';

/** How many attention items the text form lists before pointing at `--output json`. */
const TEXT_ATTENTION_LIMIT = 20;

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
      lines.push(`  ${KIND_LABEL[a.kind].padEnd(13)} ${a.upn ?? a.dn}  ${a.reason}`);
    }
    if (attention.length > TEXT_ATTENTION_LIMIT) lines.push(`  … and ${attention.length - TEXT_ATTENTION_LIMIT} more (--output json lists all)`);
  }
  const x = s.summary;
  const changed =
    (x.cloudChanged > 0 ? `, ${x.cloudChanged} changed in the cloud by someone else (left as they are)` : '') +
    (x.overwrittenBySync > 0 ? `, ${x.overwrittenBySync} overwritten by directory sync (not pushed again)` : '') +
    (x.replacedBySamePicture > 0 ? `, ${x.replacedBySamePicture} replaced in the cloud by a copy of the same picture (in sync)` : '');
  lines.push(
    `${x.set} to set (${x.overwrite} replacing a cloud photo), ${x.delete} to delete, ${x.blocked} blocked, ${x.errors} unreadable${changed}; ` +
      (s.dryRun || s.refused ? 'nothing written.' : `${x.written} written, ${x.failed} failed.`),
  );
  if (s.verification) lines.push(`verification: ${s.verification.detail}`);
  if (s.graph) lines.push(graphLine(s.graph));
  return `${lines.join('\n')}\n`;
}

/** `Graph: 2,334 requests, 9 answered 429 (0.4%), 19.2 s waiting before retries; in flight at most 4 (ceiling 16)` */
export function graphLine(g: NonNullable<RunSummary['graph']>): string {
  const share = g.requests > 0 ? ` (${((100 * g.throttled) / g.requests).toFixed(1)}%)` : '';
  return (
    `Graph: ${plural(g.requests, 'request').replace(/^\d+/, g.requests.toLocaleString('en-US'))}, ${g.throttled} answered 429${share}, ` +
    `${(g.waitedMs / 1000).toFixed(1)} s waiting before retries; in flight at most ${g.peakInFlight} (ceiling ${g.maxInFlight})`
  );
}

const KIND_LABEL: Record<RunSummary['attention'][number]['kind'], string> = {
  error: 'error',
  'cloud-changed': 'cloud changed',
  'overwritten-by-directory-sync': 'dir-sync',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
