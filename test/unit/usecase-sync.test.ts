import assert from 'node:assert/strict';
import pino from 'pino';
import { createPhotoGenerator } from '../../mocks/fixtures/photos/generate.js';
import { parseConfig } from '../../src/config/load.js';
import type { OnPremUser } from '../../src/model.js';
import { fingerprint } from '../../src/photo/fingerprint.js';
import { encodeStoredPrint } from '../../src/photo/stored-print.js';
import { openMemoryStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/store.js';
import type { PhotoSetItem, PhotoWriter, WriteResult } from '../../src/sync/apply/writer.js';
import { runSync, type SyncOptions } from '../../src/usecases/sync.js';
import { FakeDirectory, fakeReader } from '../support/fakes.js';

const gen = createPhotoGenerator();
const G = (n: number): string => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const OPTS: SyncOptions = { dryRun: false, full: false, reload: false, allowDelete: false, force: false };
const RAW = { directory: { type: 'ldif', file: '/x.ldif' }, cloud: { tenantId: 't', clientId: 'c' } };
const cfg = parseConfig(RAW, 'test', '/');

class RecordingWriter implements PhotoWriter {
  readonly route = 'graph' as const;
  sets: string[] = [];
  async setPhotos(items: readonly PhotoSetItem[]): Promise<WriteResult[]> {
    this.sets.push(...items.map((i) => i.identity));
    return items.map((i) => ({ key: i.key, ok: true, etag: `new-${i.identity}` }));
  }
  deletePhotos = async (): Promise<WriteResult[]> => [];
  close = async (): Promise<void> => {};
}

describe('sync use case (orchestration over fakes: directory, tenant, writer, in-memory state)', function () {
  this.timeout(30_000);
  let users: OnPremUser[];
  let photos: Buffer[];
  before(async () => {
    photos = await Promise.all([0, 1, 2].map((i) => gen.photo(i, { size: 160 })));
    users = [0, 1, 2].map((i) => ({ dn: `CN=u${i}`, objectGuid: G(i), immutableId: `imm${i}`, userPrincipalName: `u${i}@corp`, photo: { origin: 'thumbnailPhoto', bytes: photos[i] as Buffer } }));
  });
  const cloudUsers = [0, 1, 2].map((i) => ({ id: `c${i}`, userPrincipalName: `u${i}@corp`, onPremisesImmutableId: `imm${i}` }));

  async function sync(state: StateStore, opts: Partial<SyncOptions> = {}, cloudPhotos = new Map<string, Buffer>(), mark = { invocationId: 'inv', usn: 10n }, changed: OnPremUser[] = []) {
    const writer = new RecordingWriter();
    const reader = fakeReader(cloudUsers, cloudPhotos);
    const result = await runSync(
      {
        cfg, directory: new FakeDirectory(users, mark, changed), directoryKey: 'dir', state, runId: `run-${Math.random()}`, log: pino({ level: 'silent' }),
        cloud: { reader, writer, readPolicy: async () => ({ source: 'cloud', allowsCloudWrites: true, detail: 'cloud' }) },
      },
      { ...OPTS, ...opts },
    );
    return { result, writer, reader };
  }

  it('a first run reads everyone, writes the missing photos and records them; the mark moves', async () => {
    const state = openMemoryStore();
    const cloud = new Map([['c0', photos[0] as Buffer]]);
    const { result, writer } = await sync(state, {}, cloud);
    assert.equal(result.mode, 'full');
    assert.deepEqual(result.plan.decisions.map((d) => [d.user.upn, d.status, d.action]), [['u0@corp', 'in-sync', 'skip'], ['u1@corp', 'missing-in-cloud', 'set'], ['u2@corp', 'missing-in-cloud', 'set']]);
    assert.deepEqual(writer.sets, ['c1', 'c2']);
    assert.deepEqual([result.applied?.ok, result.applied?.failed, result.errors], [2, 0, 0]);
    assert.equal(state.getUser(G(1))?.cloudEtagAfterPush, 'new-c1');
    assert.equal(state.getMark('dir')?.usn, 10n);
  });

  it('a rerun with nothing changed reads only changes, downloads nothing and writes nothing', async () => {
    const state = openMemoryStore();
    await sync(state);
    const { result, writer, reader } = await sync(state, {}, new Map(), { invocationId: 'inv', usn: 11n }, []);
    assert.equal(result.mode, 'incremental');
    assert.deepEqual([result.plan.summary.users, writer.sets.length, reader.byteCalls.length], [0, 0, 0]);
    assert.equal(state.getMark('dir')?.usn, 11n);
  });

  it('a dry run plans and writes nothing: no upload, no state, no mark', async () => {
    const state = openMemoryStore();
    const { result, writer } = await sync(state, { dryRun: true });
    assert.equal(result.plan.summary.set, 3);
    assert.equal(result.applied, undefined);
    assert.deepEqual([writer.sets.length, [...state.allUsers()].length, state.getMark('dir')], [0, 0, undefined]);
  });

  it('a plan refused by a threshold records what it saw but writes no photo and keeps the mark', async () => {
    const state = openMemoryStore();
    const strict = parseConfig({ ...RAW, reconcile: { changeThreshold: 1 } }, 'test', '/');
    const other = new Map([0, 1, 2].map((i) => [`c${i}`, photos[(i + 1) % 3] as Buffer]));
    const writer = new RecordingWriter();
    const result = await runSync(
      {
        cfg: strict, directory: new FakeDirectory(users, { invocationId: 'inv', usn: 5n }), directoryKey: 'dir', state, runId: 'r', log: pino({ level: 'silent' }),
        cloud: { reader: fakeReader(cloudUsers, other), writer, readPolicy: async () => ({ source: 'cloud', allowsCloudWrites: true, detail: 'cloud' }) },
      },
      OPTS,
    );
    assert.match(result.refused ?? '', /3 overwrites and deletes exceed the change threshold of 1/);
    assert.deepEqual([writer.sets.length, state.getMark('dir')], [0, undefined]);
    assert.equal(state.getUser(G(0))?.cloudId, 'c0', 'what the run saw is kept');
  });

  it('records every in-sync user\'s two prints whole (hash, size, colour grid), so its rerun downloads nothing', async () => {
    const n = 30;
    const many: OnPremUser[] = Array.from({ length: n }, (_, i) => ({ dn: `CN=m${i}`, objectGuid: G(100 + i), immutableId: `m${i}`, userPrincipalName: `m${i}@corp`, photo: { origin: 'thumbnailPhoto', bytes: photos[i % 3] as Buffer } }));
    const cloud = many.map((u, i) => ({ id: `cm${i}`, userPrincipalName: u.userPrincipalName as string, onPremisesImmutableId: u.immutableId }));
    const cloudPhotos = new Map(cloud.map((c, i) => [c.id, photos[i % 3] as Buffer]));
    const state = openMemoryStore();
    const run = async () => {
      const reader = fakeReader(cloud, cloudPhotos);
      const result = await runSync(
        {
          cfg, directory: new FakeDirectory(many, { invocationId: 'inv', usn: 10n }, []), directoryKey: 'many', state, runId: `run-${Math.random()}`, log: pino({ level: 'silent' }),
          cloud: { reader, writer: new RecordingWriter(), readPolicy: async () => ({ source: 'cloud', allowsCloudWrites: true, detail: 'cloud' }) },
        },
        { ...OPTS, full: true },
      );
      return { result, downloads: reader.byteCalls.length };
    };
    const first = await run();
    assert.equal(first.result.plan.decisions.filter((d) => d.status === 'in-sync').length, n);
    const expected = await Promise.all(photos.map(async (p) => encodeStoredPrint(await fingerprint(p))));
    for (const [i, u] of many.entries()) {
      const s = state.getUser(u.objectGuid);
      assert.equal(s?.sourcePhash, expected[i % 3], `source print of user ${i}`);
      assert.equal(s?.cloudPhash, expected[i % 3], `cloud print of user ${i}`);
    }
    const rerun = await run();
    assert.equal(rerun.downloads, 0, 'no cloud photo downloaded again');
    assert.equal(rerun.result.plan.decisions.filter((d) => d.status === 'in-sync').length, n);
  });
});
