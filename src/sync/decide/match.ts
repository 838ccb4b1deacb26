/**
 * Matching on-prem users to cloud users. Pure: an index is built once from the cloud user list (no photos, so
 * it fits in memory for any tenant size) and each on-prem user is looked up as it streams past.
 */
import type { CloudUser, MatchKey, OnPremUser } from '../../model.js';

export interface CloudIndex {
  readonly size: number;
  byImmutableId: Map<string, CloudUser>;
  byUpn: Map<string, CloudUser[]>;
  byMail: Map<string, CloudUser[]>;
}

export type MatchOutcome =
  | { kind: 'matched'; cloud: CloudUser; by: MatchKey }
  | { kind: 'ambiguous'; by: MatchKey; candidates: CloudUser[] }
  | { kind: 'none'; tried: string[] };

const fold = (s: string): string => s.trim().toLowerCase();

function push(map: Map<string, CloudUser[]>, key: string | null | undefined, user: CloudUser): void {
  if (!key) return;
  const k = fold(key);
  const list = map.get(k);
  if (list) list.push(user);
  else map.set(k, [user]);
}

export function buildCloudIndex(users: Iterable<CloudUser>): CloudIndex {
  const byImmutableId = new Map<string, CloudUser>();
  const byUpn = new Map<string, CloudUser[]>();
  const byMail = new Map<string, CloudUser[]>();
  let size = 0;
  for (const u of users) {
    size += 1;
    // onPremisesImmutableId is case-sensitive base64: never fold it.
    if (u.onPremisesImmutableId) byImmutableId.set(u.onPremisesImmutableId, u);
    push(byUpn, u.userPrincipalName, u);
    push(byMail, u.mail, u);
  }
  return { size, byImmutableId, byUpn, byMail };
}

function lookup(user: OnPremUser, index: CloudIndex, key: MatchKey): { value?: string; hits: CloudUser[] } {
  switch (key) {
    case 'immutableId': {
      const hit = user.immutableId ? index.byImmutableId.get(user.immutableId) : undefined;
      return { value: user.immutableId, hits: hit ? [hit] : [] };
    }
    case 'userPrincipalName':
      return { value: user.userPrincipalName, hits: user.userPrincipalName ? (index.byUpn.get(fold(user.userPrincipalName)) ?? []) : [] };
    case 'mail':
      return { value: user.mail, hits: user.mail ? (index.byMail.get(fold(user.mail)) ?? []) : [] };
  }
}

/**
 * Tries each key in order; the first key with exactly one hit wins. A key with several hits is ambiguous and
 * stops the search (guessing between two cloud users could overwrite the wrong person's photo).
 * A cloud user that carries an onPremisesImmutableId of another on-prem object is not taken by UPN or mail.
 */
export function matchUser(user: OnPremUser, index: CloudIndex, order: readonly MatchKey[]): MatchOutcome {
  const tried: string[] = [];
  for (const key of order) {
    const { value, hits } = lookup(user, index, key);
    if (!value) continue;
    tried.push(`${key} ${value}`);
    const eligible =
      key === 'immutableId' ? hits : hits.filter((c) => !c.onPremisesImmutableId || c.onPremisesImmutableId === user.immutableId);
    if (eligible.length === 1) return { kind: 'matched', cloud: eligible[0] as CloudUser, by: key };
    if (eligible.length > 1) return { kind: 'ambiguous', by: key, candidates: eligible };
  }
  return { kind: 'none', tried };
}
