/** Plain-data fakes of the adapters' interfaces, for unit tests of the stages and use cases. */
import type { GraphReader } from '../../src/cloud/graph-reader.js';
import type { DirectorySource, HighWaterMark, UsersOptions } from '../../src/directory/source.js';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import type { CloudPhotoMeta, CloudUser, OnPremUser } from '../../src/model.js';

/** A directory of fixed users; `changed` are what an incremental read (`since`) returns. */
export class FakeDirectory implements DirectorySource {
  calls: UsersOptions[] = [];
  directoryMark?: () => Promise<HighWaterMark>;
  constructor(
    readonly all: OnPremUser[],
    mark?: HighWaterMark,
    readonly changed: OnPremUser[] = [],
  ) {
    if (mark) this.directoryMark = async () => mark;
  }
  async *users(opts: UsersOptions = {}): AsyncIterable<OnPremUser> {
    this.calls.push(opts);
    if (opts.only) {
      const { by, value } = opts.only;
      yield* this.all.filter((u) => (by === 'objectGuid' ? u.objectGuid === value : u[by] === value));
    } else if (opts.since) yield* this.changed;
    else yield* this.all;
  }
  async close(): Promise<void> {}
}

/** A tenant of fixed cloud users; `photos` maps cloud id → JPEG bytes (absent: no photo). */
export function fakeReader(cloudUsers: CloudUser[], photos = new Map<string, Buffer>()): GraphReader & { byteCalls: string[][] } {
  const byteCalls: string[][] = [];
  return {
    byteCalls,
    async *users() {
      yield* cloudUsers;
    },
    user: async (id) => cloudUsers.find((u) => u.id === id || u.userPrincipalName === id),
    findUsers: async (q) => cloudUsers.filter((u) => u.userPrincipalName === q.upn || (q.mail && u.mail === q.mail) || (q.immutableId && u.onPremisesImmutableId === q.immutableId)),
    photoMeta: async (ids) => new Map(ids.map((id): [string, CloudPhotoMeta] => [id, photos.has(id) ? { exists: true, etag: `etag-${id}-${photos.get(id)?.length}` } : { exists: false }])),
    photoBytes: async (ids) => {
      byteCalls.push([...ids]);
      return new Map(ids.map((id) => [id, photos.get(id) ?? null]));
    },
  };
}

/** A classified user n (cloud user c<n>, in sync, Graph), changed by `p`. */
export function classified(n: number, p: Partial<ClassifiedUser> = {}): ClassifiedUser {
  return {
    upn: `u${n}@corp`, dn: `CN=u${n}`, objectGuid: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, immutableId: `i${n}`, sAMAccountName: `u${n}`,
    displayName: null, cloudId: `c${n}`, matchedBy: 'immutableId', status: 'in-sync', reason: 'same picture', distance: 0, route: 'graph', routeWhy: '',
    sourceOrigin: 'thumbnailPhoto', sourceSha256: `src-${n}`, sourcePhash: 'p', cloudEtag: 'etag-now', cloudPhash: 'q', ...p,
  };
}
