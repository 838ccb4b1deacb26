/**
 * The safety thresholds over a whole plan (like Entra Connect's export deletion threshold). Pure.
 */
import type { Route } from '../../model.js';
import type { Decision } from './plan.js';

export interface Thresholds {
  deleteThreshold: number;
  changeThreshold: number;
  changeThresholdPercent: number;
  /** Percent rule applies only from this many matched users up. */
  percentFloor: number;
  /**
   * Matched users known beyond this run (e.g. from the state): an incremental run sees only changed users, so
   * the percentage is taken of whichever is larger.
   */
  population?: number;
}

export interface PlanSummary {
  users: number;
  matched: number;
  set: number;
  /** Sets that replace an existing cloud photo: what the change thresholds count, with deletes. */
  overwrite: number;
  delete: number;
  skip: number;
  blocked: number;
  byRoute: Record<Route, number>;
}

export interface Plan {
  decisions: Decision[];
  summary: PlanSummary;
  /** Set when a threshold refuses the plan; nothing may be applied unless overridden. */
  refusal?: string;
}

export function summarisePlan(decisions: readonly Decision[]): PlanSummary {
  const s: PlanSummary = { users: 0, matched: 0, set: 0, overwrite: 0, delete: 0, skip: 0, blocked: 0, byRoute: { graph: 0, 'exchange-onprem': 0, 'exchange-legacy': 0 } };
  for (const d of decisions) {
    s.users += 1;
    if (d.user.cloudId) s.matched += 1;
    s[d.action] += 1;
    if (d.action === 'set' && (d.replaces ?? d.user.status !== 'missing-in-cloud')) s.overwrite += 1;
    if (d.status === 'blocked') s.blocked += 1;
    if (d.action !== 'skip') s.byRoute[d.route] += 1;
  }
  return s;
}

/**
 * Checks the whole plan against the safety thresholds (like Entra Connect's export deletion threshold).
 * Only destructive changes count: deletes and sets that replace a cloud photo. Filling in missing cloud photos
 * (an initial sync) never trips a threshold.
 */
export function checkThresholds(summary: PlanSummary, t: Thresholds): string | undefined {
  if (summary.delete > t.deleteThreshold) {
    return `${summary.delete} deletes exceed the delete threshold of ${t.deleteThreshold}`;
  }
  const changes = summary.overwrite + summary.delete;
  if (changes > t.changeThreshold) {
    return `${changes} overwrites and deletes exceed the change threshold of ${t.changeThreshold}`;
  }
  const base = Math.max(summary.matched, t.population ?? 0);
  if (base >= t.percentFloor) {
    const pct = (changes / base) * 100;
    if (pct > t.changeThresholdPercent) {
      return `${changes} overwrites and deletes are ${pct.toFixed(1)}% of ${base} matched users, over the ${t.changeThresholdPercent}% threshold`;
    }
  }
  return undefined;
}

export function buildPlan(decisions: Decision[], t: Thresholds): Plan {
  const summary = summarisePlan(decisions);
  const refusal = checkThresholds(summary, t);
  return refusal === undefined ? { decisions, summary } : { decisions, summary, refusal };
}
