/**
 * One cloud user, one on-prem owner. When several on-prem users match the same cloud user (a leaver and a
 * rehire, a UPN that is someone else's mail), the strongest key wins: immutableId (the exact on-prem object), then
 * userPrincipalName, then mail. Equal keys are a tie, and a tie is never guessed: all claimants become unmatched.
 * Claims the state remembers for on-prem users this run did not read (incremental runs, `fix`) count too: the
 * owner of a cloud user, and the parties of a tie (their objectGUIDs are returned in `contested`, for the caller
 * to remember). Pure: runs over the classified users of a whole run, after the read and before anything is planned.
 */
import { foldGuid, MATCH_KEYS, type MatchKey } from '../../model.js';
import type { ClassifiedUser } from './classify.js';
import type { RememberedClaim } from './memory.js';

export type { RememberedClaim } from './memory.js';

/** What claims are settled on: a classified user, or the smaller row a report keeps of one. */
export type Claimant = Pick<ClassifiedUser, 'objectGuid' | 'dn' | 'cloudId' | 'matchedBy' | 'status' | 'reason' | 'distance'> &
  Partial<Pick<ClassifiedUser, 'cloudEtag' | 'cloudPhash'>>;

export interface ResolvedClaims<T extends Claimant = ClassifiedUser> {
  users: T[];
  /** Losers of a tie, by folded objectGUID (model foldGuid) → the cloud user they tie on; remember it as their claim. */
  contested: Map<string, string>;
}

const strength = (key: MatchKey | null): number => (key === null ? MATCH_KEYS.length : MATCH_KEYS.indexOf(key));

/** The loser of a claim: unmatched, and nothing of the cloud user's photo kept (where the row has it). */
function lose<T extends Claimant>(u: T, reason: string): T {
  const out: T = { ...u, cloudId: null, matchedBy: null, status: 'unmatched', reason, distance: null };
  if (u.cloudEtag !== undefined) out.cloudEtag = null;
  if (u.cloudPhash !== undefined) out.cloudPhash = null;
  return out;
}

export function resolveClaims<T extends Claimant = ClassifiedUser>(
  users: readonly T[],
  remembered?: (cloudId: string) => readonly RememberedClaim[],
): ResolvedClaims<T> {
  const byCloud = new Map<string, number[]>();
  users.forEach((u, i) => {
    if (u.cloudId === null) return;
    const list = byCloud.get(u.cloudId);
    if (list) list.push(i);
    else byCloud.set(u.cloudId, [i]);
  });
  const inRun = new Set(users.map((u) => foldGuid(u.objectGuid)));
  const out = [...users];
  const contested = new Map<string, string>();
  const at = (i: number): T => users[i] as T;
  for (const [cloudId, claimants] of byCloud) {
    const best = Math.min(...claimants.map((i) => strength(at(i).matchedBy)));
    const winners = claimants.filter((i) => strength(at(i).matchedBy) === best);
    if (winners.length > 1) {
      const dns = winners.map((i) => at(i).dn).join('; ');
      for (const i of claimants) {
        out[i] = lose(at(i), `cloud user ${cloudId} is matched by ${at(winners[0] as number).matchedBy} to several on-prem users (${dns}); not guessing`);
        if (winners.includes(i)) contested.set(foldGuid(at(i).objectGuid), cloudId);
      }
      continue;
    }
    const w = at(winners[0] as number);
    for (const i of claimants) {
      if (i !== winners[0]) out[i] = lose(at(i), `cloud user ${cloudId} belongs to ${w.dn}, matched by ${w.matchedBy}, a stronger key than ${at(i).matchedBy}`);
    }
    // Someone this run did not read holds (or contests) the cloud user: the winner cannot tell who is right.
    const other = (remembered?.(cloudId) ?? []).find((c) => !inRun.has(foldGuid(c.objectGuid)));
    if (other) {
      out[winners[0] as number] = lose(w, `cloud user ${cloudId} is matched to ${other.dn ?? other.objectGuid} (remembered from an earlier run); a full run (--full) checks both again`);
    }
  }
  return { users: out, contested };
}
