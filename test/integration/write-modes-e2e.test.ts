/**
 * reconcile's write modes end to end against Samba AD and the Graph emulator: `both` puts the ≤100 KB copy in AD and
 * the full-size photo of the same square in the cloud; a rerun writes nothing; a simulated Entra Connect cycle (AD's
 * thumbnail copied to the cloud) is not fought; `ad` writes AD only and never calls Graph.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';
import { withLdap } from '../../mocks/samba-ad/ldap.js';
import { comparePhotos } from '../../src/photo/index.js';
import { runHps, type CliRun } from '../support/cli.js';
import { buildHybridWorld, type HybridWorld } from '../support/hybrid-world.js';
import { sambaOrSkip } from '../support/world.js';

const SAMS = ['wm-hopper', 'wm-raccoon', 'wm-collins'];
const FILES: Record<string, Buffer> = {
  'wm-hopper': realPhoto('grace-hopper.jpg'), // 512×600: the subject square is not the centre square
  'wm-raccoon': realPhoto('raccoon.jpg'), // 800×600, 134 KB
  'wm-collins': realPhoto('astronaut-eileen-collins.jpg'),
};

describe('reconcile write modes (Samba AD + Graph emulator)', function () {
  this.timeout(240_000);
  let world: HybridWorld;
  let folder: string;

  const reconcile = (...args: string[]): Promise<CliRun> => runHps(['reconcile', '--output', 'json', '--config', world.configPath, ...args], { env: world.env });
  const json = (r: CliRun): Record<string, unknown> & { activeDirectory: { summary: { set: number }; written: { ok: number; failed: number } | null } } => {
    try {
      return JSON.parse(r.stdout) as ReturnType<typeof json>;
    } catch {
      throw new Error(`no JSON (exit ${r.code}): ${r.stderr}`);
    }
  };
  const thumbnailOf = (sam: string): Promise<Buffer | undefined> =>
    withLdap(world.dc, async (c) => {
      const dn = world.seeded.get(sam)?.dn as string;
      const r = await c.search(dn, { scope: 'base', attributes: ['thumbnailPhoto'], explicitBufferAttributes: ['thumbnailPhoto'] });
      const v = r.searchEntries[0]?.['thumbnailPhoto'];
      return Buffer.isBuffer(v) ? v : undefined;
    });
  const cloudWrites = (): number => Object.values(world.emu.control.writeCounts()).reduce((a, b) => a + b, 0);

  before(async function () {
    const dc = await sambaOrSkip(this);
    world = await buildHybridWorld(dc, 'T-write-modes/Staff', SAMS.map((sam) => ({ sam, cloud: {} })));
    folder = join(world.dir, 'hr');
    await mkdir(folder);
    for (const sam of SAMS) await writeFile(join(folder, `${sam}.jpg`), FILES[sam] as Buffer);
    const cfg = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(world.configPath, JSON.stringify({ ...cfg, photoFolder: { path: folder, pattern: '{sAMAccountName}.{ext}' }, reconcile: { writeMode: 'both' } }));
  });

  after(async () => {
    await world?.close();
  });

  it('both: AD holds the ≤100 KB copy, the cloud the full-size photo of the same square', async () => {
    const r = await reconcile();
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.deepEqual(out.activeDirectory.written, { ok: 3, failed: 0, failures: [] });
    for (const sam of SAMS) {
      const ad = await thumbnailOf(sam);
      assert.ok(ad && ad.length <= 102_400, `${sam}: AD ${ad?.length} bytes`);
      const cloud = world.emu.control.getStoredPhoto(world.upn(sam));
      assert.ok(cloud, `${sam} has a cloud photo`);
      const [adMeta, cloudMeta] = await Promise.all([sharp(ad).metadata(), sharp(cloud).metadata()]);
      assert.equal(cloudMeta.width, cloudMeta.height);
      assert.ok((cloudMeta.width ?? 0) >= (adMeta.width ?? 0), `${sam}: cloud ${cloudMeta.width} px, AD ${adMeta.width} px`);
      assert.ok((await comparePhotos(ad, cloud)).same, `${sam}: AD and cloud hold the same picture`);
    }
    // The portrait's square is around the face in both places, not the centre square in the cloud.
    const centre = await sharp(FILES['wm-hopper']).resize(512, 512, { fit: 'cover', position: 'centre' }).jpeg().toBuffer();
    assert.equal((await comparePhotos(centre, world.emu.control.getStoredPhoto(world.upn('wm-hopper')) as Buffer)).same, false);
  });

  it('both: a rerun writes nothing, in AD or the cloud (a full read, so every cloud photo is compared again)', async () => {
    const before = cloudWrites();
    const r = await reconcile('--full');
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.equal(out.activeDirectory.summary.set, 0);
    assert.equal((out['summary'] as { set: number }).set, 0, JSON.stringify(out['actions']));
    assert.equal(cloudWrites(), before);
  });

  it('both: a simulated Entra Connect cycle (AD thumbnail copied to the cloud) is reported, not fought', async () => {
    for (const sam of SAMS) await world.emu.control.setCloudPhoto(world.upn(sam), (await thumbnailOf(sam)) as Buffer);
    const before = cloudWrites();
    const adBefore = await Promise.all(SAMS.map(thumbnailOf));
    const r = await reconcile('--full');
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.equal((out['summary'] as { users: number }).users, 3, 'every user was compared with its cloud photo');
    assert.equal((out['summary'] as { set: number }).set, 0, `no push back: ${JSON.stringify(out['actions'])}`);
    assert.equal((out['summary'] as { replacedBySamePicture: number }).replacedBySamePicture, 3, 'the Connect cycle is reported');
    assert.equal(cloudWrites(), before);
    assert.equal(out.activeDirectory.summary.set, 0);
    const adAfter = await Promise.all(SAMS.map(thumbnailOf));
    adAfter.forEach((b, i) => assert.ok(b?.equals(adBefore[i] as Buffer)));
  });

  it('ad: writes AD from the folder and never calls Graph', async () => {
    await writeFile(join(folder, 'wm-collins.jpg'), realPhoto('cameraman.jpg'));
    world.emu.control.clearLog();
    const r = await reconcile('--write-mode', 'ad');
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.deepEqual(out.activeDirectory.written, { ok: 1, failed: 0, failures: [] });
    assert.equal(out['summary'], undefined, 'no cloud step');
    assert.equal(world.emu.control.requestLog().length, 0, 'no request reached the emulated tenant');
    assert.ok((await comparePhotos((await thumbnailOf('wm-collins')) as Buffer, realPhoto('cameraman.jpg'))).same);
  });

  it('ad and both need the HR folder: without photoFolder the run stops with a config error', async () => {
    const cfg = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
    const noFolder = join(world.dir, 'no-folder.json');
    await writeFile(noFolder, JSON.stringify({ ...cfg, photoFolder: undefined }));
    const r = await runHps(['reconcile', '--config', noFolder], { env: world.env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /writeMode "both" writes AD's thumbnailPhoto from the HR photo folder: configure photoFolder/);
  });
});
