import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { CloudPhotoMeta, CloudUser, OnPremUser, PhotoPrint } from '../../src/model.js';
import { observe, WINDOW_PER_UNIT, type CloudPhotoReader, type Failure, type Observed } from '../../src/sync/read/observe.js';
import type { Observation } from '../../src/sync/decide/observation.js';
import { buildCloudIndex } from '../../src/sync/decide/match.js';
import { DEFAULT_ROUTING } from '../../src/sync/decide/route.js';

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
  metaCalls: string[] = [];
  byteCalls: string[] = [];
  constructor(private readonly photos: Map<string, string>, private readonly failing = new Set<string>()) {}
  async photoMetaOf(id: string): Promise<CloudPhotoMeta | Failure> {
    this.metaCalls.push(id);
    return this.failing.has(id) ? { error: '503 after 5 tries' } : this.photos.has(id) ? { exists: true, etag: `e-${id}` } : { exists: false };
  }
  async comparePhotoOf(id: string): Promise<Buffer | null> {
    this.byteCalls.push(id);
    return this.photos.has(id) ? Buffer.from(this.photos.get(id) as string) : null;
  }
}

async function collect(it: AsyncIterable<Observed>): Promise<Observation[]> {
  const out: Observation[] = [];
  for await (const x of it) out.push(x.observation);
  return out;
}

async function collectInOrder(it: AsyncIterable<Observed>): Promise<Observation[]> {
  const out: Observed[] = [];
  for await (const x of it) out.push(x);
  return out.sort((a, b) => a.seq - b.seq).map((x) => x.observation);
}

async function* stream(users: OnPremUser[]): AsyncGenerator<OnPremUser> {
  yield* users;
}

describe('observe', () => {
  const cloudUsers: CloudUser[] = Array.from({ length: 45 }, (_, i) => ({ id: `c${i}`, userPrincipalName: `u${i}@corp`, onPremisesImmutableId: `imm${i}` }));
  const index = buildCloudIndex(cloudUsers);

  it('reads metadata for every matched user and downloads only photos that need comparing', async () => {
    const photos = new Map([['c0', 'A'], ['c1', 'B'], ['c2', 'C']]);
    const cloud = new FakeCloud(photos);
    const users = [user(0, 'A'), user(1), user(2, 'X'), ...Array.from({ length: 40 }, (_, i) => user(i + 3, 'P'))];
    const out = await collect(observe({ users: stream(users), cloudIndex: index, cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING }));
    assert.equal(out.length, 43);
    assert.equal(cloud.metaCalls.length, 43);
    // u1 has no source photo: its cloud photo is not downloaded; u3.. have no cloud photo.
    assert.deepEqual(cloud.byteCalls.sort(), ['c0', 'c2']);
    const byGuid = new Map(out.map((o) => [o.user.objectGuid, o]));
    assert.equal(byGuid.get('g0')?.cloud?.print?.phash, 'A');
    assert.equal(byGuid.get('g1')?.cloud?.meta?.exists, true);
    assert.equal(byGuid.get('g1')?.cloud?.print, undefined);
  });

  it('does not decode a source photo whose SHA-256 is the one remembered: the remembered fingerprint is used', async () => {
    const decoded: string[] = [];
    const counting = async (b: Buffer) => (decoded.push(b.toString()), fingerprint(b));
    const sha = createHash('sha256').update('A').digest('hex');
    const out = await collect(observe({
      users: stream([user(0, 'A'), user(1, 'B')]), cloudIndex: index, cloud: new FakeCloud(new Map()), fingerprint: counting, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING,
      knownSourcePrint: (guid, sha256) => (sha256 === sha ? { sha256, phash: `remembered-${guid}`, width: 0, height: 0 } : undefined),
    }));
    assert.deepEqual(decoded, ['B'], 'only the photo state does not know is decoded');
    const g0 = out.find((o) => o.user.objectGuid === 'g0');
    assert.equal(g0?.source.print?.phash, 'remembered-g0');
    assert.equal(g0?.source.print?.sha256, sha);
  });

  it('hands the downloaded cloud bytes on only when asked (report thumbnails)', async () => {
    const photos = new Map([['c0', 'A'], ['c1', 'B']]);
    const users = [user(0, 'A'), user(1)];
    const inOrder = async (it: AsyncIterable<Observed>): Promise<Observed[]> => {
      const out: Observed[] = [];
      for await (const x of it) out.push(x);
      return out.sort((a, b) => a.seq - b.seq);
    };
    const plain = await inOrder(observe({ users: stream(users), cloudIndex: index, cloud: new FakeCloud(photos), fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING }));
    assert.ok(plain.every((o) => o.cloudPhoto === undefined));
    const kept = await inOrder(observe({ users: stream(users), cloudIndex: index, cloud: new FakeCloud(photos), fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING, keepCloudBytes: true }));
    assert.equal(kept[0]?.cloudPhoto?.toString(), 'A');
    assert.equal(kept[0]?.photo?.bytes.toString(), 'A');
    assert.equal(kept[1]?.cloudPhoto, undefined, 'not downloaded: nothing to compare it with');
  });

  it('reuses a remembered fingerprint when the etag has not moved', async () => {
    const cloud = new FakeCloud(new Map([['c0', 'A']]));
    const remembered: PhotoPrint = { sha256: 's', phash: 'A', width: 1, height: 1 };
    const out = await collect(observe({
      users: stream([user(0, 'A')]), cloudIndex: index, cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING,
      knownCloudPrint: (guid, etag) => (guid === 'g0' && etag === 'e-c0' ? remembered : undefined),
    }));
    assert.deepEqual(cloud.byteCalls, []);
    assert.equal(out[0]?.cloud?.print, remembered);
  });

  it('keeps going past a corrupt source photo, a cloud failure and an unmatched user', async () => {
    const cloud = new FakeCloud(new Map([['c1', 'B']]), new Set(['c1']));
    const stranger: OnPremUser = { dn: 'CN=stranger', objectGuid: 'gx', immutableId: 'nobody' };
    const out = await collectInOrder(observe({ users: stream([user(0, 'corrupt'), user(1, 'B'), stranger]), cloudIndex: index, cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING }));
    assert.match(out[0]?.source.error ?? '', /corrupt JPEG/);
    assert.equal(out[1]?.cloud?.error, '503 after 5 tries');
    assert.equal(out[2]?.match.kind, 'none');
  });

  it('overlaps users within a bounded window, hands them out as they complete, and numbers them in directory order', async () => {
    const gates = new Map<string, () => void>();
    let inFlight = 0;
    let peak = 0;
    const slow: CloudPhotoReader = {
      photoMetaOf: async (id) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((r) => (id === 'c0' ? gates.set(id, r) : setImmediate(r)));
        inFlight -= 1;
        return { exists: false };
      },
      comparePhotoOf: async () => null,
    };
    const users = Array.from({ length: 12 }, (_, i) => user(i, 'P'));
    const got: Observed[] = [];
    for await (const o of observe({ users: stream(users), cloudIndex: index, cloud: slow, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING, window: 4 })) {
      got.push(o);
      if (got.length === 3) gates.get('c0')?.(); // the slow first user finishes only after others went past it
    }
    assert.equal(got.length, 12);
    assert.notEqual(got[0]?.observation.user.objectGuid, 'g0', 'a slow user does not hold up the ones behind it');
    assert.ok(peak > 1 && peak <= 4, `users overlap, within the window of 4 (peak ${peak})`);
    assert.deepEqual(got.sort((a, b) => a.seq - b.seq).map((o) => o.observation.user.objectGuid), users.map((u) => u.objectGuid));
  });

  it('grows its window with the cloud budget: WINDOW_PER_UNIT users per unit of the allowance, never below the least', async () => {
    const many: CloudUser[] = Array.from({ length: 400 }, (_, i) => ({ id: `c${i}`, userPrincipalName: `u${i}@corp`, onPremisesImmutableId: `imm${i}` }));
    let allowance = 4;
    let inFlight = 0;
    let peak = 0;
    let peakBeforeGrowth = -1;
    let answered = 0;
    let asked = 0;
    const held: Array<() => void> = [];
    const cloud: CloudPhotoReader = {
      photoMetaOf: async () => {
        asked += 1;
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        // Everyone waits until the window is full (as a budget-bound read would), then all are answered.
        await new Promise<void>((r) => held.push(r));
        inFlight -= 1;
        if (++answered === 1) {
          peakBeforeGrowth = peak;
          allowance = 40; // the budget grew, as under the per-mailbox reading
        }
        return { exists: false };
      },
      comparePhotoOf: async () => null,
    };
    const full = (): boolean => held.length >= Math.max(16, WINDOW_PER_UNIT * allowance) || asked === 400;
    const release = setInterval(() => (full() ? held.splice(0).forEach((r) => r()) : undefined), 1);
    const users = Array.from({ length: 400 }, (_, i) => user(i, 'P'));
    let got: Observation[];
    try {
      got = await collect(observe({ users: stream(users), cloudIndex: buildCloudIndex(many), cloud, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING, window: 16, allowance: () => allowance }));
    } finally {
      clearInterval(release);
    }
    assert.equal(got.length, 400);
    assert.equal(peakBeforeGrowth, Math.max(16, WINDOW_PER_UNIT * 4), 'at 4 units: the larger of the least and 8 per unit');
    assert.equal(peak, WINDOW_PER_UNIT * 40, 'at 40 units: 8 users per unit');
  });

  it('throws a failure that stops the run (Graph unreachable) to the consumer', async () => {
    const broken: CloudPhotoReader = { photoMetaOf: async () => Promise.reject(new Error('Graph unreachable')), comparePhotoOf: async () => null };
    await assert.rejects(collect(observe({ users: stream([user(0, 'P'), user(1, 'P')]), cloudIndex: index, cloud: broken, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING })), /Graph unreachable/);
  });

  it('a failure that lands while the consumer lets the event loop run still reaches it (the wake-up is not lost)', async function () {
    this.timeout(10_000); // a lost wake-up hangs; the bound turns that into a failure
    // Each failing read first holds the CPU past the consumer's 2 ms slice, so the consumer is in its breather
    // (waiting for setImmediate, not for a user) when both failures land.
    const spin = (ms: number): void => {
      for (const t = performance.now(); performance.now() - t < ms; );
    };
    const slow: CloudPhotoReader = {
      photoMetaOf: async () => {
        spin(3);
        throw new Error('Graph unreachable');
      },
      comparePhotoOf: async () => null,
    };
    for (let run = 0; run < 20; run++) {
      await assert.rejects(collect(observe({ users: stream([user(0, 'P'), user(1, 'P')]), cloudIndex: index, cloud: slow, fingerprint, matchOrder: ['immutableId'], routing: DEFAULT_ROUTING })), /Graph unreachable/);
    }
  });

  it('observes every claimant of one cloud user (claims are settled over the whole run, by resolveClaims)', async () => {
    const free: CloudUser = { id: 'free', userPrincipalName: 'free@corp', mail: 'free@corp' };
    const idx = buildCloudIndex([...cloudUsers, free]);
    const first: OnPremUser = { dn: 'CN=first', objectGuid: 'gf', immutableId: 'x1', mail: 'free@corp' };
    const second: OnPremUser = { dn: 'CN=second', objectGuid: 'gs', immutableId: 'x2', userPrincipalName: 'FREE@corp' };
    const out = await collectInOrder(observe({ users: stream([first, second]), cloudIndex: idx, cloud: new FakeCloud(new Map()), fingerprint, matchOrder: ['immutableId', 'userPrincipalName', 'mail'], routing: DEFAULT_ROUTING }));
    assert.deepEqual(out.map((o) => o.match.kind === 'matched' && [o.match.cloud.id, o.match.by]), [['free', 'mail'], ['free', 'userPrincipalName']]);
  });
});
