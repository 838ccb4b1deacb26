/**
 * What `hps ad import` does per user, and whether the whole plan passes reconcile's safety thresholds. Pure.
 */
import type { Action, AdPhotoAttribute, AdWriteResult, OnPremUser } from '../../model.js';
import type { Automatch } from './automatch.js';
import { checkThresholds, type PlanSummary, type Thresholds } from './thresholds.js';

/**
 * in-sync: AD holds the same picture at (about) the size we would write. missing-in-ad: AD has no photo.
 * drifted: AD holds another picture. smaller-in-ad: the same picture, but much smaller (an old 96 px thumbnail).
 * over-budget: AD's value is larger than --max-bytes (a tenant going back to 10 KB). no-file: no photo file for this
 * user (AD's photo is removed only with --remove-missing). error: see reason.
 */
export const AD_STATUSES = ['in-sync', 'missing-in-ad', 'drifted', 'smaller-in-ad', 'over-budget', 'no-file', 'error'] as const;
export type AdStatus = (typeof AD_STATUSES)[number];

/** How one attribute compares with what would be written. */
export interface AttributeCheck {
  attribute: AdPhotoAttribute;
  status: Exclude<AdStatus, 'no-file' | 'error'>;
  /** Perceptual distance to AD's value (0…1), when AD had one. */
  distance?: number;
  /** AD's current value: side in px and bytes, when it had one. */
  current?: { side: number; bytes: number };
}

/** What would be written for one user (sizes and quality of the fitted thumbnail). */
export interface Candidate {
  file: string;
  side: number;
  quality: number;
  bytes: number;
  sha256: string;
  /** The square taken from the (auto-oriented) source file of width × height, in its pixels. */
  crop: { left: number; top: number; side: number; width: number; height: number };
  /** Small images for the HTML preview (data: URIs), when asked for. */
  preview?: { source: string; result: string };
  jpegPhotoBytes?: number;
}

export interface AdDecision {
  user: OnPremUser;
  file?: string;
  status: AdStatus;
  action: Action;
  /** Attributes the action writes (set) or clears (delete). */
  attributes: AdPhotoAttribute[];
  reason: string;
  /** A set that replaces a photo AD already holds: counted by the change thresholds, like a delete. */
  replaces: boolean;
  candidate?: Candidate;
  checks?: AttributeCheck[];
}

/** A same-picture photo in AD smaller than this share of what we would write is worth replacing. */
export const SMALLER_RATIO = 0.75;

/** The status of one attribute from the comparison with AD's value. */
export function checkStatus(same: boolean, current: { side: number; bytes: number }, candidateSide: number, budget = Infinity): AttributeCheck['status'] {
  if (!same) return 'drifted';
  if (current.bytes > budget) return 'over-budget';
  return current.side < candidateSide * SMALLER_RATIO ? 'smaller-in-ad' : 'in-sync';
}

const RANK: Record<AttributeCheck['status'], number> = { 'in-sync': 0, 'over-budget': 1, 'smaller-in-ad': 2, drifted: 3, 'missing-in-ad': 4 };

/** The decision for a matched user from the per-attribute checks: write every attribute that is not in sync. */
export function decideMatched(user: OnPremUser, candidate: Candidate, checks: AttributeCheck[]): AdDecision {
  const stale = checks.filter((c) => c.status !== 'in-sync');
  const worst = checks.reduce<AttributeCheck['status']>((w, c) => (RANK[c.status] > RANK[w] ? c.status : w), 'in-sync');
  const base = { user, file: candidate.file, candidate, checks, status: worst };
  if (stale.length === 0) return { ...base, action: 'skip', attributes: [], reason: 'AD holds the same picture', replaces: false };
  const why = stale.map((c) => {
    if (c.status === 'missing-in-ad') return `${c.attribute} is empty`;
    if (c.status === 'drifted') return `${c.attribute} holds another picture (distance ${c.distance?.toFixed(3)})`;
    if (c.status === 'over-budget') return `${c.attribute} is ${c.current?.bytes} bytes, over the --max-bytes budget`;
    return `${c.attribute} is the same picture at ${c.current?.side} px; ${candidate.side} px fits`;
  });
  return { ...base, action: 'set', attributes: stale.map((c) => c.attribute), reason: why.join('; '), replaces: stale.some((c) => c.status !== 'missing-in-ad') };
}

/** A user without a photo file: AD's photo stays unless removing is asked for. */
export function decideWithoutFile(user: OnPremUser, hasAdPhoto: boolean, removeMissing: boolean, attributes: AdPhotoAttribute[]): AdDecision {
  const base = { user, status: 'no-file' as const, replaces: false };
  if (!hasAdPhoto) return { ...base, action: 'skip', attributes: [], reason: 'no photo file, no photo in AD' };
  if (!removeMissing) return { ...base, action: 'skip', attributes: [], reason: 'no photo file; AD keeps its photo (--remove-missing removes it)' };
  return { ...base, action: 'delete', attributes, reason: 'no photo file; --remove-missing' };
}

export function errorDecision(user: OnPremUser, file: string | undefined, reason: string): AdDecision {
  return { user, ...(file ? { file } : {}), status: 'error', action: 'skip', attributes: [], reason, replaces: false };
}

export interface AdPlanSummary {
  users: number;
  set: number;
  delete: number;
  skip: number;
  /** Sets replacing a photo AD held. */
  overwrite: number;
  errors: number;
  byStatus: Record<AdStatus, number>;
}

export function summariseAdPlan(decisions: readonly AdDecision[]): AdPlanSummary {
  const byStatus = Object.fromEntries(AD_STATUSES.map((s) => [s, 0])) as Record<AdStatus, number>;
  const s: AdPlanSummary = { users: decisions.length, set: 0, delete: 0, skip: 0, overwrite: 0, errors: 0, byStatus };
  for (const d of decisions) {
    s[d.action] += 1;
    if (d.action === 'set' && d.replaces) s.overwrite += 1;
    if (d.status === 'error') s.errors += 1;
    byStatus[d.status] += 1;
  }
  return s;
}

/**
 * Reconcile's thresholds over this plan: deletes against the delete threshold; overwrites and deletes against the
 * change threshold and the percentage of users with a photo file (from `percentFloor` users up). Filling empty AD
 * photos (a first import) never trips them.
 */
export function adRefusal(s: AdPlanSummary, matchedUsers: number, t: Thresholds): string | undefined {
  const summary: PlanSummary = {
    users: s.users, matched: matchedUsers, set: s.set, overwrite: s.overwrite, delete: s.delete, skip: s.skip, blocked: 0,
    byRoute: { graph: 0, 'exchange-onprem': 0, 'exchange-legacy': 0 },
  };
  return checkThresholds(summary, t);
}

export interface AdWriteOutcome {
  decision: AdDecision;
  result: AdWriteResult;
}

/** One `hps ad import` (or the AD step of a write mode): the automatch, the plan, and what was written. */
export interface AdImportResult {
  automatch: Automatch;
  decisions: AdDecision[];
  summary: AdPlanSummary;
  dryRun: boolean;
  matchOnly: boolean;
  refused?: string;
  written?: { ok: number; failed: number; outcomes: AdWriteOutcome[] };
}

/** One `hps ad remove`. */
export interface AdRemoveResult {
  user: { dn: string; objectGuid: string; userPrincipalName?: string; sAMAccountName?: string };
  /** Attributes that held a photo and were (or, with --dry-run, would be) cleared. */
  cleared: AdPhotoAttribute[];
  dryRun: boolean;
  result?: AdWriteResult;
}
