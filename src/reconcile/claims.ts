/**
 * One cloud user, one on-prem owner. When several on-prem users match the same cloud user (a leaver and a
 * rehire, a UPN that is someone else's mail), the strongest key wins: immutableId (the exact on-prem object), then
 * userPrincipalName, then mail. Equal keys are a tie, and a tie is never guessed: all claimants become unmatched.
 * A claim the state remembers for an on-prem user this run did not read (incremental runs, `fix`) counts too.
 * Pure: runs over the classified users of a whole run, after the read and before anything is planned.
 */
import { MATCH_KEYS, type MatchKey } from '../model.js';
import type { ClassifiedUser } from './classify.js';

/** Who the state says owns a cloud user. */
export interface RememberedClaim {
  objectGuid: string;
  dn?: string;
}

const strength = (key: MatchKey | null): number => (key === null ? MATCH_KEYS.length : MATCH_KEYS.indexOf(key));

function lose(u: ClassifiedUser, reason: string): ClassifiedUser {
  return { ...u, cloudId: null, matchedBy: null, status: 'unmatched', reason, distance: null, cloudEtag: null, cloudPhash: null };
}

export function resolveClaims(
  users: readonly ClassifiedUser[],
  remembered?: (cloudId: string) => RememberedClaim | undefined,
): ClassifiedUser[] {
  const byCloud = new Map<string, number[]>();
  users.forEach((u, i) => {
    if (u.cloudId === null) return;
    const list = byCloud.get(u.cloudId);
    if (list) list.push(i);
    else byCloud.set(u.cloudId, [i]);
  });
  const inRun = new Set(users.map((u) => u.objectGuid.toLowerCase()));
  const out = [...users];
  for (const [cloudId, claimants] of byCloud) {
    if (claimants.length > 1) {
      const best = Math.min(...claimants.map((i) => strength((users[i] as ClassifiedUser).matchedBy)));
      const winners = claimants.filter((i) => strength((users[i] as ClassifiedUser).matchedBy) === best);
      const dns = claimants.map((i) => (users[i] as ClassifiedUser).dn);
      for (const i of claimants) {
        const u = users[i] as ClassifiedUser;
        if (winners.length === 1 && winners[0] === i) continue;
        if (winners.length > 1) {
          out[i] = lose(u, `cloud user ${cloudId} is matched by ${u.matchedBy} to several on-prem users (${dns.join('; ')}); not guessing`);
        } else {
          const w = users[winners[0] as number] as ClassifiedUser;
          out[i] = lose(u, `cloud user ${cloudId} belongs to ${w.dn}, matched by ${w.matchedBy}, a stronger key than ${u.matchedBy}`);
        }
      }
      continue;
    }
    const i = claimants[0] as number;
    const u = users[i] as ClassifiedUser;
    const prior = remembered?.(cloudId);
    if (prior && prior.objectGuid.toLowerCase() !== u.objectGuid.toLowerCase() && !inRun.has(prior.objectGuid.toLowerCase())) {
      out[i] = lose(u, `cloud user ${cloudId} is matched to ${prior.dn ?? prior.objectGuid} (remembered from an earlier run); a full run (--full) checks both again`);
    }
  }
  return out;
}
