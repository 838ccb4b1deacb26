/**
 * Renderers for `hps ad import` and `hps ad remove`: the automatch lists and the plan as a table, JSON or CSV. Pure.
 */
import type { AdDecision, AdImportResult, AdRemoveResult } from '../sync/decide/ad-plan.js';
import type { OnPremUser } from '../model.js';
import { adImportHtml } from './ad-import-html.js';
import { csvField } from './csv.js';

export const AD_IMPORT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type AdImportFormat = (typeof AD_IMPORT_FORMATS)[number];

/** Rows of long lists the table shows before "… and N more". */
const TABLE_LIST_MAX = 50;

interface UserRef {
  upn?: string;
  sAMAccountName?: string;
  displayName?: string;
  dn: string;
  objectGuid: string;
}

function ref(u: OnPremUser): UserRef {
  return {
    ...(u.userPrincipalName ? { upn: u.userPrincipalName } : {}),
    ...(u.sAMAccountName ? { sAMAccountName: u.sAMAccountName } : {}),
    ...(u.displayName ? { displayName: u.displayName } : {}),
    dn: u.dn,
    objectGuid: u.objectGuid,
  };
}

const label = (u: OnPremUser): string => u.userPrincipalName ?? u.sAMAccountName ?? u.dn;

function decisionJson(d: AdDecision): Record<string, unknown> {
  return {
    user: ref(d.user), file: d.file ?? null, status: d.status, action: d.action, attributes: d.attributes, reason: d.reason,
    candidate: d.candidate ? { ...d.candidate, preview: undefined } : null, checks: d.checks ?? [],
  };
}

/** The JSON contract: automatch lists, the plan per user, the summary and what was written. */
export function adImportJson(r: AdImportResult): Record<string, unknown> {
  const a = r.automatch;
  return {
    dryRun: r.dryRun,
    matchOnly: r.matchOnly,
    automatch: {
      matched: a.matched.map((m) => ({ file: m.file, user: ref(m.user), patterns: m.patterns })),
      filesWithoutUser: a.filesWithoutUser,
      usersWithoutFile: a.usersWithoutFile.map(ref),
      ambiguousFiles: a.ambiguousFiles.map((x) => ({ file: x.file, users: x.users.map(ref) })),
      ambiguousUsers: a.ambiguousUsers.map((x) => ({ user: ref(x.user), files: x.files })),
      ignoredFiles: a.ignoredFiles,
    },
    plan: r.decisions.filter((d) => d.status !== 'no-file' || d.action !== 'skip').map(decisionJson),
    summary: r.summary,
    refused: r.refused ?? null,
    written: r.written ? { ok: r.written.ok, failed: r.written.failed, failures: r.written.outcomes.filter((o) => !o.result.ok).map((o) => ({ user: ref(o.decision.user), ...o.result })) } : null,
  };
}

function list<T>(title: string, items: readonly T[], line: (x: T) => string, out: string[]): void {
  if (items.length === 0) return;
  out.push('', `${title} (${items.length})`);
  for (const x of items.slice(0, TABLE_LIST_MAX)) out.push(`  ${line(x)}`);
  if (items.length > TABLE_LIST_MAX) out.push(`  … and ${items.length - TABLE_LIST_MAX} more (--format csv lists all)`);
}

function sizeOf(d: AdDecision): string {
  return d.candidate ? `${d.candidate.side}px q${d.candidate.quality} ${(d.candidate.bytes / 1024).toFixed(1)}KB` : '';
}

export function adImportTable(r: AdImportResult): string {
  const a = r.automatch;
  const out = [
    `Automatch: ${a.matched.length} matched, ${a.filesWithoutUser.length} files without a user, ${a.usersWithoutFile.length} users without a file, ` +
      `${a.ambiguousFiles.length} ambiguous files, ${a.ambiguousUsers.length} ambiguous users`,
  ];
  list('Matched (file → user)', a.matched, (m) => `${m.file} → ${label(m.user)}`, out);
  list('Files without a user', a.filesWithoutUser, (f) => f, out);
  list('Users without a file', a.usersWithoutFile, (u) => label(u), out);
  list('Ambiguous: a file that fits several users (nothing written)', a.ambiguousFiles, (x) => `${x.file} → ${x.users.map(label).join(', ')}`, out);
  list('Ambiguous: a user several files fit (nothing written)', a.ambiguousUsers, (x) => `${label(x.user)} ← ${x.files.join(', ')}`, out);
  if (a.ignoredFiles.length > 0) out.push('', `${a.ignoredFiles.length} files are not images by extension and were ignored`);
  if (r.matchOnly) return `${out.join('\n')}\n`;
  const shown = r.decisions.filter((d) => d.action !== 'skip' || d.status !== 'no-file');
  list(r.dryRun ? 'Plan (dry run: nothing written)' : 'Plan', shown, (d) => `${label(d.user)}  ${d.status}  ${d.action}${d.attributes.length ? ` ${d.attributes.join('+')}` : ''}  ${sizeOf(d)}  ${d.reason}`.replace(/ {3,}/g, '  '), out);
  const s = r.summary;
  out.push('', `${s.set} to write (${s.overwrite} replacing a photo), ${s.delete} to remove, ${s.byStatus['in-sync']} in sync, ${s.errors} errors`);
  if (r.refused) out.push(`REFUSED: ${r.refused}`);
  if (r.written) {
    out.push(`written: ${r.written.ok} ok, ${r.written.failed} failed`);
    for (const o of r.written.outcomes.filter((x) => !x.result.ok)) {
      out.push(`  FAILED ${label(o.decision.user)}: ${[o.result.errorId, o.result.message, o.result.advice].filter(Boolean).join(': ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const CSV_COLUMNS = ['list', 'file', 'upn', 'sAMAccountName', 'dn', 'objectGuid', 'status', 'action', 'attributes', 'side', 'quality', 'bytes', 'reason'] as const;

/** One row per file or user in each list; matched rows carry the plan. RFC 4180, CRLF. */
export function adImportCsv(r: AdImportResult): string {
  const a = r.automatch;
  const plan = new Map(r.decisions.map((d) => [d.user, d]));
  const rows: string[][] = [[...CSV_COLUMNS]];
  const row = (listName: string, file: string, u?: OnPremUser): void => {
    const d = u ? plan.get(u) : undefined;
    const c = d?.candidate;
    rows.push([
      listName, file, u?.userPrincipalName ?? '', u?.sAMAccountName ?? '', u?.dn ?? '', u?.objectGuid ?? '', d?.status ?? '', d?.action ?? '',
      d?.attributes.join('+') ?? '', c ? String(c.side) : '', c ? String(c.quality) : '', c ? String(c.bytes) : '', d?.reason ?? '',
    ]);
  };
  for (const m of a.matched) row('matched', m.file, m.user);
  for (const f of a.filesWithoutUser) row('file-without-user', f);
  for (const u of a.usersWithoutFile) row('user-without-file', '', u);
  for (const x of a.ambiguousFiles) for (const u of x.users) row('ambiguous-file', x.file, u);
  for (const x of a.ambiguousUsers) for (const f of x.files) row('ambiguous-user', f, x.user);
  return `${rows.map((cells) => cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function renderAdImport(r: AdImportResult, format: AdImportFormat): string {
  if (format === 'html') return adImportHtml(r);
  if (format === 'json') return `${JSON.stringify(adImportJson(r), null, 2)}\n`;
  return format === 'csv' ? adImportCsv(r) : adImportTable(r);
}

export function renderAdRemove(r: AdRemoveResult, format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
  const who = r.user.userPrincipalName ?? r.user.sAMAccountName ?? r.user.dn;
  if (r.cleared.length === 0) return `${who}: no photo in AD; nothing to remove\n`;
  const what = r.cleared.join(' and ');
  if (r.dryRun) return `${who}: would clear ${what} (dry run)\n`;
  if (r.result?.ok) return `${who}: cleared ${what}\n`;
  return `${who}: FAILED to clear ${what}: ${[r.result?.errorId, r.result?.message, r.result?.advice].filter(Boolean).join(': ')}\n`;
}
