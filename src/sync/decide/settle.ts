/**
 * After the read: one owner per cloud user over the whole run (claims.ts), applied to the decisions made while
 * reading. A user that loses its claim is unmatched now, and an unmatched user is always skipped with its reason,
 * so its decision is replaced here rather than made again: `decide()` runs once per user. Pure.
 */
import { resolveClaims } from './claims.js';
import type { ClassifiedUser } from './classify.js';
import type { RememberedClaim } from './memory.js';
import type { Decision } from './plan.js';

export interface Settled {
  /** Every user's final decision, in read order. */
  decisions: Decision[];
  /** Losers of a tie, by folded objectGUID → the cloud user they tie on: the recorder keeps it as their claim. */
  contested: Map<string, string>;
}

/** The decision of a user whose claim on a cloud user was taken away (it is `unmatched` now). */
export function unclaimed(u: ClassifiedUser): Decision {
  return { user: u, status: u.status, action: 'skip', reason: u.reason, route: u.route, retry: false };
}

/**
 * `remembered` gives the claims the state keeps for users this run did not read: pass it for incremental runs and
 * `fix`, not for a full read (which reads everyone).
 */
export function settleClaims(decisions: readonly Decision[], remembered?: (cloudId: string) => readonly RememberedClaim[]): Settled {
  const claims = resolveClaims(
    decisions.map((d) => d.user),
    remembered,
  );
  return {
    decisions: decisions.map((d, i) => {
      const u = claims.users[i] as ClassifiedUser;
      return u === d.user ? d : unclaimed(u);
    }),
    contested: claims.contested,
  };
}
