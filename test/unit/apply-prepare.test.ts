import assert from 'node:assert/strict';
import pino from 'pino';
import sharp from 'sharp';
import { CloudAuthError } from '../../src/cloud/errors.js';
import { PowerShellNotFoundError } from '../../src/powershell/errors.js';
import { prepareUpload, uploadPreparer } from '../../src/sync/apply/prepare.js';
import { createPhotoSpool, type PhotoSpool } from '../../src/sync/apply/spool.js';
import { closeWriters, writersFor } from '../../src/sync/apply/writers.js';
import type { PhotoWriter } from '../../src/sync/apply/writer.js';
import { decide, type Decision } from '../../src/sync/decide/plan.js';
import { classified } from '../support/fakes.js';
import { comparePrints, fingerprint, sha256Hex } from '../../src/photo/index.js';
import { CORPUS_SOURCES, sourceBytes } from '../../mocks/fixtures/photos/corpus/sources.js';

const set = (n: number, route: Decision['route'] = 'graph'): Decision =>
  decide(classified(n, { status: 'missing-in-cloud', route }), undefined, { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true });
const writer = (route: PhotoWriter['route'], closed: string[] = []): PhotoWriter => ({
  route, setPhotos: async () => [], deletePhotos: async () => [], close: async () => void closed.push(route),
});

describe('apply: upload preparation and the writer for each route', () => {
  let spool: PhotoSpool;
  beforeEach(async () => {
    spool = await createPhotoSpool();
  });
  afterEach(() => spool.dispose());

  it('a photo that cannot be made into an upload turns its set into an error; no photo at all too', async () => {
    const d = await prepareUpload(set(1), { origin: 'thumbnailPhoto', bytes: Buffer.from('not a jpeg') }, spool);
    assert.deepEqual([d.action, d.status], ['skip', 'error']);
    assert.match(d.reason, /^cannot prepare the photo for upload: /);
    assert.equal((await prepareUpload(set(2), undefined, spool)).reason, 'no source photo to upload');
    assert.equal(spool.has(set(1).user.objectGuid), false);
  });

  it("spools the upload with the source's print (its SHA-256 and size the upload's): the same picture as the upload's own print", async () => {
    for (const name of CORPUS_SOURCES.slice(0, 4)) {
      const bytes = sourceBytes(name);
      const sourcePrint = await fingerprint(bytes);
      const d = decide(classified(1, { status: 'missing-in-cloud', sourcePrint }), undefined, { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true });
      assert.equal((await prepareUpload(d, { origin: 'thumbnailPhoto', bytes }, spool)).action, 'set');
      const { jpeg, print } = (await spool.get(d.user.objectGuid)) as { jpeg: Buffer; print: Awaited<ReturnType<typeof fingerprint>> };
      const own = await fingerprint(jpeg);
      assert.equal(print.sha256, sha256Hex(jpeg));
      assert.deepEqual([print.width, print.height], [own.width, own.height], 'the size is the upload\'s');
      assert.deepEqual([print.phash, print.colour], [sourcePrint.phash, sourcePrint.colour]);
      const c = comparePrints(print, own);
      assert.ok(c.same && c.distance < c.threshold / 2, `${name}: the reused print is the upload's picture (distance ${c.distance})`);
    }
    const without = set(9);
    await prepareUpload(without, { origin: 'thumbnailPhoto', bytes: sourceBytes(CORPUS_SOURCES[0] as never) }, spool);
    const spooled = await spool.get(without.user.objectGuid);
    assert.deepEqual(spooled?.print, await fingerprint(spooled?.jpeg as Buffer), 'no source print: the upload is fingerprinted');
  });

  it('an AD thumbnail that already is a clean upload is spooled with its own JPEG data, metadata cut', async () => {
    const square = await sharp(sourceBytes(CORPUS_SOURCES[0] as never)).resize(144, 144).jpeg({ quality: 80 }).toBuffer();
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 9]), Buffer.from('scanned')]);
    const bytes = Buffer.concat([square.subarray(0, 2), comment, square.subarray(2)]);
    const sourcePrint = await fingerprint(bytes);
    const d = decide(classified(3, { status: 'missing-in-cloud', sourcePrint }), undefined, { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true });
    assert.equal((await prepareUpload(d, { origin: 'thumbnailPhoto', bytes }, spool)).action, 'set');
    const spooled = await spool.get(d.user.objectGuid);
    assert.deepEqual(spooled.jpeg, square, 'the same JPEG data, without the comment');
    assert.deepEqual([spooled.print.sha256, spooled.print.phash, spooled.print.width], [sha256Hex(square), sourcePrint.phash, 144]);
  });

  it('prepares a few at a time and puts the outcome back in its place', async () => {
    const decisions = Array.from({ length: 30 }, (_, i) => set(i));
    let running = 0;
    let most = 0;
    const preparer = uploadPreparer(decisions, spool, async (d) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 2));
      running -= 1;
      return d.user.upn === 'u7@corp' ? { ...d, action: 'skip', status: 'error', reason: 'bad photo' } : d;
    });
    for (let i = 0; i < decisions.length; i++) await preparer.add(i, undefined);
    await preparer.done();
    assert.ok(most <= 4, `at most 4 at once, saw ${most}`);
    assert.equal(decisions[7]?.reason, 'bad photo');
    assert.equal(decisions.filter((d) => d.action === 'set').length, 29);
  });

  it('starts the Exchange bridge only when a decision needs it; one that cannot start fails its users only', async () => {
    const log = pino({ level: 'silent' });
    let started = 0;
    const exchange = async (): Promise<PhotoWriter> => {
      started += 1;
      return writer('exchange-onprem');
    };
    assert.deepEqual(Object.keys(await writersFor([set(1)], writer('graph'), exchange, log)), ['graph']);
    assert.equal(started, 0);
    const both = await writersFor([set(1), set(2, 'exchange-onprem')], writer('graph'), exchange, log);
    assert.deepEqual(Object.keys(both).sort(), ['exchange-onprem', 'graph']);
    const broken = await writersFor([set(2, 'exchange-onprem')], writer('graph'), () => Promise.reject(new PowerShellNotFoundError('no pwsh')), log);
    const r = await broken['exchange-onprem']?.setPhotos([{ key: 'k', identity: 'u', jpeg: Buffer.from('') }]);
    assert.deepEqual([r?.[0]?.ok, r?.[0]?.errorId, r?.[0]?.retryable], [false, 'WriterUnavailable', true]);
    await assert.rejects(writersFor([set(2, 'exchange-onprem')], writer('graph'), () => Promise.reject(new CloudAuthError('expired')), log), /expired/);
    const closed: string[] = [];
    await closeWriters({ graph: writer('graph', closed), 'exchange-onprem': writer('exchange-onprem', closed) });
    assert.deepEqual(closed, ['exchange-onprem'], 'the Graph writer belongs to the cloud connection');
  });
});
