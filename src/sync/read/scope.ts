/**
 * Which users a command looks at, and the cloud users to match them against; then the observe stage over them.
 * Read-only: nothing here writes anything.
 */
import { HpsError, type ErrorKind } from '../../errors.js';
import type { GraphReader } from '../../cloud/graph-reader.js';
import type { DirectorySource, UserSelector } from '../../directory/source.js';
import type { CloudUser, OnPremUser } from '../../model.js';
import { buildCloudIndex } from '../decide/match.js';
import { observe, type ObserveDeps, type Observed } from './observe.js';
import { readAhead } from './read-ahead.js';

/** What the read stage needs: the cloud reader, the fingerprinting and the match and routing rules. */
export type ReadDeps = { reader: GraphReader } & Pick<
  ObserveDeps,
  'fingerprint' | 'matchOrder' | 'routing' | 'knownCloudPrint' | 'knownSourcePrint' | 'keepCloudBytes' | 'allowance'
>;

/** Which users to look at, and the cloud users to match them against. */
export interface ReadScope {
  users: AsyncIterable<OnPremUser>;
  cloudUsers: CloudUser[];
}

/** `--user` / `hps fix <user>` names nobody in scope, or several people. */
export class UserNotFoundError extends HpsError {
  override readonly kind: ErrorKind = 'config';
}

export async function readAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* fromArray<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

/** Finds one on-prem user by the first selector that names exactly one. */
export async function findOnPremUser(directory: DirectorySource, selectors: readonly UserSelector[], label: string): Promise<OnPremUser> {
  for (const sel of selectors) {
    const hits = await readAll(directory.users({ only: sel }));
    if (hits.length === 1) return hits[0] as OnPremUser;
    if (hits.length > 1) throw new UserNotFoundError(`"${label}" names ${hits.length} users by ${sel.by}; use the objectGUID or UPN`);
  }
  const tried = selectors.map((s) => s.by).join(', ');
  throw new UserNotFoundError(`no on-prem user "${label}" in scope (looked up by ${tried || 'nothing: empty identifier'})`);
}

/** One user: looked up in the directory, and in the cloud by its keys (a few requests, whatever the tenant size). */
export async function singleUserScope(directory: DirectorySource, reader: GraphReader, selectors: readonly UserSelector[], label: string): Promise<ReadScope> {
  const user = await findOnPremUser(directory, selectors, label);
  const cloudUsers = await reader.findUsers({
    ...(user.userPrincipalName ? { upn: user.userPrincipalName } : {}),
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.immutableId ? { immutableId: user.immutableId } : {}),
  });
  return { users: fromArray([user]), cloudUsers };
}

/** Users (and their photos' bytes) read from the directory while the cloud users are listed, at most. */
export const READ_AHEAD = { maxItems: 256, maxBytes: 8 * 1024 * 1024 } as const;

/**
 * Everyone the directory yields (optionally only changed users), against every cloud user. The directory read
 * starts while the cloud users are listed (read-ahead.ts), so the first users are ready when the listing is.
 */
export async function directoryScope(users: AsyncIterable<OnPremUser>, reader: GraphReader): Promise<ReadScope> {
  const listing = readAll(reader.users()); // asked first: the directory read must not delay its first request
  const ahead = readAhead(users, { ...READ_AHEAD, bytesOf: (u) => u.photo?.bytes.length ?? 0 });
  try {
    return { users: ahead.items, cloudUsers: await listing };
  } catch (err) {
    await ahead.cancel();
    throw err;
  }
}

/**
 * The observe stage over a scope: one Observation (and the source photo, to use at once and drop) per user, in the
 * order users complete; `seq` gives directory order back.
 */
export function observeScope(deps: ReadDeps, scope: ReadScope): AsyncGenerator<Observed> {
  const { reader, ...rules } = deps;
  return observe({ ...rules, users: scope.users, cloudIndex: buildCloudIndex(scope.cloudUsers), cloud: reader });
}
