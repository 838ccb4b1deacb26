/**
 * `hps report` end to end: a real Samba AD DC (LDAPS, verified certificate) with 220 seeded users, the Graph
 * emulator with MSAL's real client-credentials flow, the CLI as an admin runs it. Every status is seeded,
 * including cloud photos that are the same picture re-encoded and resized by the emulator (must be in-sync).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { createPhotoGenerator, realPhoto } from '../../mocks/fixtures/photos/generate.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { runHps } from '../support/cli.js';
import { buildHybridWorld, type HybridWorld, type WorldUser } from '../support/hybrid-world.js';
import { sambaOrSkip } from '../support/world.js';

import type { ReportJson } from '../support/json.js';

const COUNT = 220;

describe('hps report against Samba AD and the Graph emulator (e2e)', function () {
  this.timeout(180_000);
  let dc: SambaDc;
  let world: HybridWorld;
  const expected = new Map<string, string>();

  before(async function () {
    dc = await sambaOrSkip(this);
    const gen = createPhotoGenerator();
    const thumb = async (i: number): Promise<Buffer> => sharp(await gen.photo(i, { size: 400 })).resize(240, 240).jpeg({ quality: 85 }).toBuffer();
    const users: WorldUser[] = [];
    for (let i = 0; i < COUNT; i++) {
      const sam = `rpt${String(i).padStart(3, '0')}`;
      let u: WorldUser;
      let status = 'in-sync';
      if (i < 4) {
        // The cloud photo is another picture: someone changed it in the cloud.
        u = { sam, thumbnailPhoto: await thumb(i), cloud: { photo: await gen.photo(500 + i, { size: 800 }) } };
        status = 'drifted';
      } else if (i < 7) {
        u = { sam, thumbnailPhoto: await thumb(i), cloud: {} };
        status = 'missing-in-cloud';
      } else if (i < 9) {
        u = { sam, cloud: { photo: await gen.photo(i, { size: 800 }) } };
        status = 'missing-in-source';
      } else if (i < 11) {
        u = { sam, thumbnailPhoto: await thumb(i) };
        status = 'unmatched';
      } else if (i < 13) {
        const good = await thumb(i);
        u = { sam, thumbnailPhoto: good.subarray(0, Math.floor(good.length / 2)), cloud: { photo: await gen.photo(i, { size: 800 }) } };
        status = 'error';
      } else if (i === 13) {
        // A real photograph: the HR original in the cloud (648 px after the emulator's re-encode), a small thumbnail on-prem.
        const original = realPhoto('astronaut-eileen-collins.jpg');
        u = { sam, thumbnailPhoto: await sharp(original).resize(96, 96, { fit: 'cover' }).jpeg({ quality: 70 }).withMetadata().toBuffer(), cloud: { photo: original } };
      } else if (i === 14) {
        u = { sam, jpegPhoto: [await thumb(i)], cloud: { photo: await gen.photo(i, { size: 800 }), anchor: false } };
      } else if (i === 15) {
        u = { sam, thumbnailPhoto: await thumb(i), cloud: { photo: await gen.photo(i, { size: 800 }), anchor: false, upn: `x-${sam}@tenant.onmicrosoft.example` } };
      } else if (i === 16) {
        u = { sam, cloud: {} }; // nothing on either side
      } else {
        u = { sam, thumbnailPhoto: await thumb(i), cloud: { photo: await gen.photo(i, { size: 800 }) } };
      }
      users.push(u);
      expected.set(sam, status);
    }
    world = await buildHybridWorld(dc, 'T-report-e2e/Staff', users);
  });

  after(async () => {
    await world?.close();
  });

  it('classifies every seeded user correctly, with a reason for each', async () => {
    const r = await runHps(['report', '--format', 'json', '--config', world.configPath], { env: world.env });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ReportJson;
    assert.equal(report.summary.total, COUNT);
    assert.equal(report.users.length, COUNT);
    const wrong: string[] = [];
    for (const u of report.users) {
      const sam = (u.upn ?? '').split('@')[0] as string;
      if (u.status !== expected.get(sam)) wrong.push(`${sam}: got ${u.status} (${u.reason}), expected ${expected.get(sam)}`);
      assert.ok(u.reason.length > 0);
      assert.equal(u.objectGuid, world.seeded.get(sam)?.objectGuid);
    }
    assert.deepEqual(wrong, []);
    const counts = [...expected.values()].reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    for (const [status, n] of Object.entries(counts)) assert.equal(report.summary[status], n, status);
    const byUpn = new Map(report.users.map((u) => [(u.upn ?? '').split('@')[0], u]));
    assert.equal(byUpn.get('rpt014')?.matchedBy, 'userPrincipalName');
    assert.equal(byUpn.get('rpt015')?.matchedBy, 'mail');
    assert.match(byUpn.get('rpt011')?.reason ?? '', /source photo: .*(corrupt|truncated)/i);
    assert.ok((byUpn.get('rpt000')?.distance ?? 0) > 0.2);
    assert.ok((byUpn.get('rpt013')?.distance ?? 1) <= 0.2);
  });

  it('reports one user by sAMAccountName, writes CSV to a file, and never writes to the cloud', async () => {
    const out = join(world.dir, 'one.csv');
    const r = await runHps(['report', '--user', 'rpt002', '--format', 'csv', '--out', out, '--config', world.configPath], { env: world.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const lines = (await readFile(out, 'utf8')).trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1] as string, /^rpt002@.*,drifted,/);
    assert.deepEqual(world.emu.control.writeCounts(), {});
  });

  it('fails with exit 2 and names the variable when a secret is missing', async () => {
    const r = await runHps(['report', '--config', world.configPath], { env: { HPS_CLIENT_SECRET: 'x' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /HPS_LDAP_PASSWORD/);
    assert.equal(r.stdout, '');
  });

  it('fails with exit 4 and advice on a wrong client secret', async () => {
    const r = await runHps(['report', '--config', world.configPath], { env: { ...world.env, HPS_CLIENT_SECRET: 'wrong' } });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /client secret/i);
    assert.ok(!r.stderr.includes('wrong'), 'the secret is never echoed');
  });
});
