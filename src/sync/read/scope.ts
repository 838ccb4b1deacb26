/**
 * The read-only pipeline every command shares: directory users → cloud index → observe → classify.
 * Yields one classified user at a time, with the source photo for the caller to use at once and drop.
 */
import { HpsError, type ErrorKind } from '../../errors.js';
import type { GraphReader } from '../../cloud/graph-reader.js';
import type { DirectorySource, UserSelector } from '../../directory/source.js';
import type { CloudUser, MatchKey, OnPremUser, PhotoPrint, SourcePhoto } from '../../model.js';
import { observe } from './observe.js';
import { classify, type ClassifiedUser, type ComparePrints } from '../decide/classify.js';
import { buildCloudIndex } from '../decide/match.js';
import type { RoutingConfig } from '../decide/route.js';

export interface DriftDeps {
  reader: GraphReader;
  fingerprint: (bytes: Buffer) => Promise<PhotoPrint>;
  compare: ComparePrints;
  matchOrder: readonly MatchKey[];
  routing: RoutingConfig;
  knownCloudPrint?: (objectGuid: string, etag: string) => PhotoPrint | undefined;
}

/** Which users to look at, and the cloud users to match them against. */
export interface DriftScope {
  users: AsyncIterable<OnPremUser>;
  cloudUsers: CloudUser[];
}

export interface DriftItem {
  user: ClassifiedUser;
  photo?: SourcePhoto;
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
export async function singleUserScope(directory: DirectorySource, reader: GraphReader, selectors: readonly UserSelector[], label: string): Promise<DriftScope> {
  const user = await findOnPremUser(directory, selectors, label);
  const cloudUsers = await reader.findUsers({
    ...(user.userPrincipalName ? { upn: user.userPrincipalName } : {}),
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.immutableId ? { immutableId: user.immutableId } : {}),
  });
  return { users: fromArray([user]), cloudUsers };
}

/** Everyone the directory yields (optionally only changed users), against every cloud user. */
export async function directoryScope(users: AsyncIterable<OnPremUser>, reader: GraphReader): Promise<DriftScope> {
  return { users, cloudUsers: await readAll(reader.users()) };
}

export async function* classifyUsers(deps: DriftDeps, scope: DriftScope): AsyncGenerator<DriftItem> {
  const cloudIndex = buildCloudIndex(scope.cloudUsers);
  for await (const { observation, photo } of observe({
    users: scope.users,
    cloudIndex,
    cloud: deps.reader,
    fingerprint: deps.fingerprint,
    matchOrder: deps.matchOrder,
    routing: deps.routing,
    ...(deps.knownCloudPrint ? { knownCloudPrint: deps.knownCloudPrint } : {}),
  })) {
    const user = classify(observation, deps.compare);
    yield photo ? { user, photo } : { user };
  }
}
