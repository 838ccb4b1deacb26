/**
 * `hps doctor` as data and as output: one row per check, in order, with a result, what it found and what to do;
 * an aligned table for people, JSON for scripts. The checks themselves are in src/usecases/doctor/.
 */
import type { ErrorKind } from '../errors.js';
import { lineSafe } from './safe-text.js';

export const CHECK_RESULTS = ['ok', 'warn', 'fail', 'skip'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** The checks, in the order they run; each has a section in docs/troubleshooting.md (`#doctor-<id>`). */
export const CHECK_IDS = [
  'config',
  'directory-reachable',
  'directory-tls',
  'directory-bind',
  'directory-base-dn',
  'directory-photos',
  'directory-page-size',
  'directory-recipient-type',
  'photo-folder',
  'cloud-sign-in',
  'cloud-roles',
  'cloud-photo-policy',
  'cloud-graph',
  'exchange-pwsh',
  'exchange-session',
  'state-folder',
  'state-lock',
  'state-schema',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** What each check looks at, as the table's first column says it. */
export const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  config: 'config valid',
  'directory-reachable': 'directory reachable',
  'directory-tls': 'TLS certificate verified',
  'directory-bind': 'bind',
  'directory-base-dn': 'base DN exists',
  'directory-photos': 'photo attributes readable',
  'directory-page-size': 'paged search / page size',
  'directory-recipient-type': 'msExchRecipientTypeDetails and routing',
  'photo-folder': 'photo folder readable, files matching',
  'cloud-sign-in': 'sign-in to Entra ID',
  'cloud-roles': 'token roles vs. features',
  'cloud-photo-policy': 'photoUpdateSettings',
  'cloud-graph': 'Graph reachable, a photo readable',
  'exchange-pwsh': 'PowerShell found',
  'exchange-session': 'Exchange session opens',
  'state-folder': 'state folder writable',
  'state-lock': 'run lock free',
  'state-schema': 'state schema version',
};

export interface Check {
  id: CheckId;
  /** What was checked, for the table's first column. */
  title: string;
  result: CheckResult;
  /** What the check found (never a secret). */
  detail: string;
  /** What to do; empty when nothing. */
  advice: string;
  /** What a failure means for the exit code (config → 2; connect, auth → 4). */
  failKind?: ErrorKind;
}

export interface DoctorReport {
  generatedAt: string;
  configFile: string;
  checks: Check[];
}

export function docAnchor(id: CheckId): string {
  return `docs/troubleshooting.md#doctor-${id}`;
}

export function countResults(checks: readonly Check[]): Record<CheckResult, number> {
  const s: Record<CheckResult, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) s[c.result] += 1;
  return s;
}

const LABEL = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** One line per message: whitespace runs folded, control and invisible characters shown as escapes (safe-text.ts). */
function clean(s: string): string {
  return lineSafe(s.replace(/\s+/g, ' ').trim());
}

export function renderDoctorTable(r: DoctorReport, exitCode: number): string {
  const width = Math.max(5, ...r.checks.map((c) => c.title.length));
  const pad = ' '.repeat(width + 2 + 6);
  const out = [`${'CHECK'.padEnd(width)}  RESULT  FOUND / WHAT TO DO`];
  for (const c of r.checks) {
    out.push(`${c.title.padEnd(width)}  ${LABEL[c.result].padEnd(6)}  ${clean(c.detail)}`);
    if (c.advice) out.push(`${pad}  → ${clean(c.advice)} (${docAnchor(c.id)})`);
  }
  const s = countResults(r.checks);
  const verdict = exitCode === 0 ? 'ready' : s.fail > 0 ? 'not ready' : 'ready, with warnings';
  out.push('', `${s.ok} ok, ${s.warn} warnings, ${s.fail} failed, ${s.skip} skipped: ${verdict} (exit ${exitCode})`);
  return `${out.join('\n')}\n`;
}

export function renderDoctorJson(r: DoctorReport, exitCode: number): string {
  const checks = r.checks.map((c) => ({ id: c.id, title: c.title, result: c.result, detail: c.detail, advice: c.advice, doc: docAnchor(c.id) }));
  return `${JSON.stringify({ generatedAt: r.generatedAt, configFile: r.configFile, exitCode, summary: countResults(r.checks), checks }, null, 2)}\n`;
}
