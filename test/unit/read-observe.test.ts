import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { CloudPhotoMeta, CloudUser, OnPremUser, PhotoPrint } from '../../src/model.js';
import { observe, type CloudPhotoReader, type Failure, type Observed } from '../../src/sync/read/observe.js';
import type { Observation } from '../../src/sync/decide/observation.js';
import { buildCloudIndex } from '../../src/sync/decide/match.js';
import { DEFAULT_ROUTING } from '../../src/sync/decide/route.js';
import { collect } from '../support/json.js';

// Fake fingerprint: the "picture" is the bytes' text; the phash is that text.
const fingerprint = async (b: Buffer): Promise<PhotoPrint> => {
  if (b.toString() === 'corrupt') throw new Error('corrupt JPEG data');
  return { sha256: createHash('sha256').update(b).digest('hex'), phash: b.toString(), width: 96, height: 96 };
};

function user(n: number, photo?: string): OnPremUser {
  return {
    dn: `CN=u${n},DC=corp`, objectGuid: `g${n}`, immutableId: `imm${n}`, userPrincipalName: `u${n}@corp`,
    ...(photo ? { photo: { origin: 'thumbnailPhoto', bytes: Buffer.from(photo) } } : {}),
  };
}

class FakeCloud implements CloudPhotoReader {
  metaCalls: string[][] = [];
  byteCalls: string[][] = [];
  constructor(private readonly photos: Map<string, string>, private readonly failing = new Set<string>()) {}
  async photoMeta(ids: readonly string[]): Promise<Map<string, CloudPhotoMeta | Failure>> {
    this.metaCalls.push([...ids]);
    return new Map(ids.map((id) => [id, this.failing.has(id) ? { error: '503 after 5 tries' } : this.photos.has(id) ? { exists: true, etag: `e-${id}` } : { exists: false }]));
  }
  async photoBytes(ids: readonly string[]): Promise<Map<string, Buffer | null>> {
    this.byteCalls.push([...ids]);
    return new Map(ids.map((id) => [id, this.photos.has(id) ? Buffer.from(this.photos.get(id) as string) : null]));
  }
}

async function observations(it: AsyncIterable<Observed>): Promise<Observation[]> {
  return (await collect(it)).map((x) => x.observation);
}

async function* stream(users: OnPremUser[]): AsyncGenerator<OnPremUser> {
  yield* users;
}

describe('observe', () => {
  const cloudUsers: CloudUser[] = Array.from({ length: 45 }, (_, i) => ({ id: `c${i}`, userPrincipalName: `u${i}@corp`, onPremisesImmutableId: `imm${i}` }));
  const index = buildCloudIndex(cloudUsers);

  it('reads metadata in chunks and downloads only photos that need comparing', async () => {
    const photos = new Map([['c0', 'A'], ['c1', 'B'], ['c2', 'C']]);
    const cloud = new FakeCloud(photos);
    const users = [user(0, 'A'), user(1), user(2, 'X'), ...Array.from({ length: 40 }, (_, i) => user(i + 3, 'P'))];
    const out = await observations(observe({ users: stream(users), cloudIndex: index, cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING }));
    assert.equal(out.length, 43);
    assert.deepEqual(cloud.metaCalls.map((c) => c.length), [20, 20, 3]);
    // u1 has no source photo: its cloud photo is not downloaded; u3.. have no cloud photo.
    assert.deepEqual(cloud.byteCalls, [['c0', 'c2']]);
    assert.equal(out[0]?.cloud?.print?.phash, 'A');
    assert.equal(out[1]?.cloud?.meta?.exists, true);
    assert.equal(out[1]?.cloud?.print, undefined);
  });

  it('hands the downloaded cloud bytes on only when asked (report thumbnails)', async () => {
    const photos = new Map([['c0', 'A'], ['c1', 'B']]);
    const users = [user(0, 'A'), user(1)];
    const plain = await collect(observe({ users: stream(users), cloudIndex: index, cloud: new FakeCloud(photos), fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING }));
    assert.ok(plain.every((o) => o.cloudPhoto === undefined));
    const kept = await collect(observe({ users: stream(users), cloudIndex: index, cloud: new FakeCloud(photos), fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING, keepCloudBytes: true }));
    assert.equal(kept[0]?.cloudPhoto?.toString(), 'A');
    assert.equal(kept[0]?.photo?.bytes.toString(), 'A');
    assert.equal(kept[1]?.cloudPhoto, undefined, 'not downloaded: nothing to compare it with');
  });

  it('reuses a remembered fingerprint when the etag has not moved', async () => {
    const cloud = new FakeCloud(new Map([['c0', 'A']]));
    const remembered: PhotoPrint = { sha256: 's', phash: 'A', width: 1, height: 1 };
    const out = await observations(observe({
      users: stream([user(0, 'A')]), cloudIndex: index, cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING,
      knownCloudPrint: (guid, etag) => (guid === 'g0' && etag === 'e-c0' ? remembered : undefined),
    }));
    assert.deepEqual(cloud.byteCalls, []);
    assert.equal(out[0]?.cloud?.print, remembered);
  });

  it('keeps going past a corrupt source photo, a cloud failure and an unmatched user', async () => {
    const cloud = new FakeCloud(new Map([['c1', 'B']]), new Set(['c1']));
    const stranger: OnPremUser = { dn: 'CN=stranger', objectGuid: 'gx', immutableId: 'nobody' };
    const out = await observations(observe({ users: stream([user(0, 'corrupt'), user(1, 'B'), stranger]), cloudIndex: index, cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING }));
    assert.match(out[0]?.source.error ?? '', /corrupt JPEG/);
    assert.equal(out[1]?.cloud?.error, '503 after 5 tries');
    assert.equal(out[2]?.match.kind, 'none');
  });

  it('observes the next chunk while the consumer works through the one before, keeping directory order', async () => {
    const events: string[] = [];
    const cloud = new FakeCloud(new Map());
    const slow: CloudPhotoReader = {
      photoMeta: async (ids) => {
        events.push(`meta ${ids.join(',')}`);
        await new Promise((r) => setTimeout(r, 5));
        return cloud.photoMeta(ids);
      },
      photoBytes: (ids) => cloud.photoBytes(ids),
    };
    const users = Array.from({ length: 7 }, (_, i) => user(i, 'P'));
    const seen: string[] = [];
    for await (const o of observe({ users: stream(users), cloudIndex: index, cloud: slow, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING, chunkSize: 3 })) {
      events.push(`got ${o.observation.user.objectGuid}`);
      seen.push(o.observation.user.objectGuid);
    }
    assert.deepEqual(seen, ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6']);
    assert.ok(events.indexOf('meta c3,c4,c5') < events.indexOf('got g0'), `chunk 2 is in flight before chunk 1 is handed out: ${events.join(' | ')}`);
    assert.ok(events.indexOf('meta c6') > events.indexOf('got g0'), 'but no more than two chunks at once');
  });

  it('observes every claimant of one cloud user (claims are settled over the whole run, by resolveClaims)', async () => {
    const free: CloudUser = { id: 'free', userPrincipalName: 'free@corp', mail: 'free@corp' };
    const idx = buildCloudIndex([...cloudUsers, free]);
    const first: OnPremUser = { dn: 'CN=first', objectGuid: 'gf', immutableId: 'x1', mail: 'free@corp' };
    const second: OnPremUser = { dn: 'CN=second', objectGuid: 'gs', immutableId: 'x2', userPrincipalName: 'FREE@corp' };
    const out = await observations(observe({ users: stream([first, second]), cloudIndex: idx, cloud: new FakeCloud(new Map()), fingerprint, matchOrder: ['immutableId', 'userPrincipalName', 'mail'], routing: DEFAULT_ROUTING }));
    assert.deepEqual(out.map((o) => o.match.kind === 'matched' && [o.match.cloud.id, o.match.by]), [['free', 'mail'], ['free', 'userPrincipalName']]);
  });
});
