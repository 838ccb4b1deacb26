/**
 * Adversarial: oversized and odd LDIF values. A camera-original jpegPhoto is read; a value over the limit is one
 * user's error and the run goes on; a device or FIFO named as the LDIF file is refused at once; a 0-byte
 * thumbnailPhoto is that user's error, never "no photo".
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { LdifDirectorySource, isBase64, parseLdif } from '../../src/directory/ldif.js';
import { DirectoryConfigError } from '../../src/directory/errors.js';
import { splitLines } from '../../src/directory/ldif-lines.js';
import type { OnPremUser } from '../../src/model.js';
import { runHps } from '../support/cli.js';
import { buildLdifWorld, ldifLine } from './support/ldif-world.js';

const GUID = (i: number): string => Buffer.alloc(16, i).toString('base64');
const record = (i: number, extra: string[] = []): string =>
  [`dn: CN=u${i},DC=x`, 'objectClass: user', `objectGUID:: ${GUID(i)}`, `sAMAccountName: u${i}`, ...extra].join('\n');

async function users(file: string, opts: { maxValueBytes?: number } = {}): Promise<OnPremUser[]> {
  const out: OnPremUser[] = [];
  for await (const u of new LdifDirectorySource({ file, ...opts }).users()) out.push(u);
  return out;
}

describe('adversarial: LDIF values', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hps-adv-ldif-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('checks base64 in linear time: a 12 MiB value does not overflow the stack', () => {
    const big = 'QUJD'.repeat(3 * 1024 * 1024);
    const t0 = Date.now();
    assert.equal(isBase64(big), true);
    assert.equal(isBase64(`${big}QQ==`), true);
    assert.equal(isBase64(`${big}Q===`), false);
    assert.equal(isBase64(`${big}!AAA`), false);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  for (const folded of [true, false]) {
    it(`reads a 3.3 MiB camera-original jpegPhoto (${folded ? 'folded at 76 columns' : 'one unfolded line'})`, async () => {
      const photo = Buffer.alloc(3.3 * 1024 * 1024, 7);
      photo[0] = 0xff;
      const line = folded ? ldifLine('jpegPhoto', photo) : `jpegPhoto:: ${photo.toString('base64')}`;
      const file = path.join(dir, `camera-${folded}.ldif`);
      await writeFile(file, `version: 1\n\n${record(1, [line])}\n\n${record(2)}\n`);
      const [u1, u2] = await users(file);
      assert.equal(u1?.readError, undefined);
      assert.ok(u1?.photo?.bytes.equals(photo), 'the value arrives byte for byte');
      assert.equal(u2?.sAMAccountName, 'u2');
    });
  }

  for (const folded of [true, false]) {
    it(`a value over the limit is that user's error, the next user is read (${folded ? 'folded' : 'unfolded'})`, async () => {
      const big = Buffer.alloc(3 * 1024 * 1024, 1);
      const line = folded ? ldifLine('jpegPhoto', big) : `jpegPhoto:: ${big.toString('base64')}`;
      const file = path.join(dir, `over-${folded}.ldif`);
      await writeFile(file, `${record(1, [line])}\n\n${record(2, ['thumbnailPhoto:: /9j/'])}\n`);
      const [u1, u2] = await users(file, { maxValueBytes: 1024 * 1024 });
      assert.match(u1?.readError ?? '', /^line 5: jpegPhoto is larger than the 1 MiB limit for one value \(about 3 MiB\); not read/);
      assert.equal(u1?.photo, undefined);
      assert.equal(u1?.sAMAccountName, 'u1');
      assert.equal(u2?.readError, undefined);
      assert.equal(u2?.photo?.bytes.length, 3);
    });
  }

  it('the over-limit line costs about the limit in memory, not the line', async () => {
    // 40 MB of base64 on one line against a 1 MiB limit, fed in 1 MB chunks: the parser keeps a bounded head.
    const chunk = 'A'.repeat(1024 * 1024);
    async function* lines(): AsyncGenerator<string> {
      yield `dn: CN=u1,DC=x\nobjectGUID:: ${GUID(1)}\njpegPhoto:: `;
      for (let i = 0; i < 40; i++) yield chunk;
      yield '\n\n';
    }
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    const recs = [];
    for await (const rec of parseLdif(
      (async function* () {
        for await (const l of splitLines(lines(), 2 * 1024 * 1024)) {
          peak = Math.max(peak, process.memoryUsage().heapUsed - before);
          yield l;
        }
      })(),
      { maxValueBytes: 1024 * 1024 },
    )) recs.push(rec);
    assert.equal(recs.length, 1);
    assert.match(recs[0]?.errors[0] ?? '', /jpegPhoto is larger than the 1 MiB limit/);
    assert.ok(peak < 30 * 1024 * 1024, `peak heap growth ${Math.round(peak / 1e6)} MB`);
  });

  it('refuses a device or a FIFO as the LDIF file at once (exit-2 kind of error)', async () => {
    const fifo = path.join(dir, 'export.ldif');
    execFileSync('mkfifo', [fifo]);
    for (const file of ['/dev/zero', fifo]) {
      const t0 = Date.now();
      await assert.rejects(users(file), (err: unknown) => err instanceof DirectoryConfigError && /not a regular file/.test(err.message));
      assert.ok(Date.now() - t0 < 2000);
    }
  });

  it('a 0-byte thumbnailPhoto is an error for that user (as documented), not "no photo"; the others are written', async function () {
    const photo = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#447788' } }).jpeg().toBuffer();
    const world = await buildLdifWorld([
      { sam: 'empty', extraLines: ['thumbnailPhoto::'], cloud: { photo } },
      { sam: 'emptytext', extraLines: ['thumbnailPhoto:'], cloud: {} },
      { sam: 'ok', thumbnailPhoto: photo, cloud: {} },
    ]);
    try {
      const r = await runHps(['reconcile', '--allow-delete', '--output', 'json', '--config', world.configPath], { env: world.env });
      assert.equal(r.code, 1, r.stderr);
      const summary = JSON.parse(r.stdout) as { summary: { delete: number; written: number }; attention: Array<{ upn: string; reason: string }> };
      assert.equal(summary.summary.delete, 0, 'an empty value never deletes the cloud photo');
      assert.equal(summary.summary.written, 1);
      const reasons = Object.fromEntries(summary.attention.map((a) => [a.upn.split('@')[0], a.reason]));
      assert.match(reasons.empty ?? '', /The photo is empty \(0 bytes\)/);
      assert.match(reasons.emptytext ?? '', /The photo is empty \(0 bytes\)/);
      assert.ok(world.emu.control.getStoredPhoto('empty@adv.example.test'), 'the cloud photo is still there');
    } finally {
      await world.close();
    }
  });
});
