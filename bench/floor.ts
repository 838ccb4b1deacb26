/**
 * The request floor of a run: the Graph operations it cannot do without, divided by what the service lets run at
 * once, times the latency of one operation. Pure. A run cannot beat it; how close it comes is the pipeline's merit.
 */
import { countKinds, expectedDownloads, expectedFirstSets } from './mix.js';
import type { ConcurrencyScope, ScenarioResult, SpeedFacts } from './result.js';

/** Graph's documented concurrency, and what the `app` scope enforces. */
export const DOCUMENTED_IN_FLIGHT = 4;
const PAGE = 999;

/** Minimal Graph operations of a scenario over `users` on-prem users and `cloudUsers` cloud accounts. */
export function requiredUnits(id: ScenarioResult['id'], users: number, cloudUsers: number): number {
  const matched = users - countKinds(users).unmatched;
  const pages = Math.ceil(cloudUsers / PAGE);
  const policy = 1;
  switch (id) {
    case 'report':
    case 'report-quarter':
      return policy + pages + matched + expectedDownloads(users);
    case 'reconcile-first':
      // A write is a PUT and the metadata read that learns the new etag (so the next run need not download it).
      return policy + pages + matched + expectedDownloads(users) + 2 * expectedFirstSets(users);
    case 'reconcile-rerun':
      return policy + pages + matched;
    default:
      return 0;
  }
}

export function allowedInFlight(scope: ConcurrencyScope, toolCeiling: number): number {
  return scope === 'app' ? DOCUMENTED_IN_FLIGHT : toolCeiling;
}

export function speedFacts(r: ScenarioResult, o: { cloudUsers: number; latencyMs: number; maxInFlight: number; serialMs?: number }): SpeedFacts | undefined {
  if (!r.scope || o.latencyMs <= 0) return undefined;
  const units = requiredUnits(r.id, r.users, o.cloudUsers);
  if (units === 0) return undefined;
  const allowed = allowedInFlight(r.scope, o.maxInFlight);
  const floorMs = (units / allowed) * o.latencyMs;
  return {
    units,
    allowedInFlight: allowed,
    floorMs,
    ratioToFloor: floorMs > 0 ? r.wallMs / floorMs : null,
    speedupVsSerial: o.serialMs !== undefined && r.wallMs > 0 ? o.serialMs / r.wallMs : null,
  };
}
