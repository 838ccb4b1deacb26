/**
 * The comparator and the resolution/loop rules end to end (issue 12): `hps reconcile` against Samba AD and the Graph
 * emulator. A cloud photo with a badge added, one with its background swapped and a 96 px copy of a 648 px source
 * are drifted and fixed; the cloud's own re-encode stays in sync at every size Graph serves (48…648: compared at each,
 * and sources of each size against Graph's copy at that size are not written and report in sync); a full-size push that
 * directory sync replaces with a small copy is reported, not pushed again until --reload or a new source photo.
 * Upgrading a state file of the previous version: state-upgrade-e2e.test.ts.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { availableSizes, cloudReencode, HD_SIZES, resizeTo } from '../../mocks/graph-emulator/image.js';
import { backgroundSwap, badge, rng } from '../../mocks/fixtures/photos/corpus/edits.js';
import { sourceBytes, type CorpusSource } from '../../mocks/fixtures/photos/corpus/sources.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { modifyUserPhoto } from '../../mocks/samba-ad/seed.js';
import { comparePrints, fingerprint, normaliseForUpload } from '../../src/photo/index.js';
import { runHps, type CliRun } from '../support/cli.js';
import { buildHybridWorld, type HybridWorld, type WorldUser } from '../support/hybrid-world.js';
import { parseJson, type ReportJson, type RunJson } from '../support/json.js';
import { sambaOrSkip } from '../support/world.js';

/** A directory photo: the source's centre square at `side` px, small enough for AD's 100 KB thumbnailPhoto. */
async function adPhoto(name: CorpusSource, side = 560): Promise<Buffer> {
  const square = (await normaliseForUpload(sourceBytes(name))).jpeg;
  return sharp(square).resize(side, side).jpeg({ quality: 75 }).toBuffer();
}

/** Another picture for each size Graph serves. */
const SIZED: ReadonlyArray<[number, CorpusSource]> = [
  [48, 'retina.jpg'], [64, 'hubble-deep-field.jpg'], [96, 'ihc-tissue.jpg'], [120, 'coins.jpg'], [240, 'clock.jpg'],
  [360, 'ascent.jpg'], [432, 'raccoon.jpg'], [504, 'coffee.jpg'], [648, 'grace-hopper.jpg'],
];

/**
 * Users `dSize<S>` whose source is S px and whose cloud photo is what Graph serves at S px of our upload of the full
 * picture (/photos/SxS: its own re-encode, resized): the same picture at the same size, so in sync.
 */
async function atEverySize(): Promise<WorldUser[]> {
  return Promise.all(
    SIZED.map(async ([side, name]) => {
      const stored = await cloudReencode((await normaliseForUpload(await adPhoto(name, 648))).jpeg);
      return { sam: `dSize${side}`, thumbnailPhoto: await adPhoto(name, side), cloud: { photo: (await resizeTo(stored, side)).jpeg } };
    }),
  );
}

describe('drift accuracy end to end: edits found, re-encodes kept, resolution and directory-sync loops (e2e)', function () {
  this.timeout(240_000);
  let dc: SambaDc;
  let world: HybridWorld;
  const photos = new Map<string, Buffer>();
  const reconcile = (...args: string[]): Promise<CliRun> => runHps(['reconcile', '--output', 'json', '--config', world.configPath, ...args], { env: world.env });
  const action = (s: RunJson, sam: string): RunJson['actions'][number] | undefined => s.actions.find((a) => a.upn === world.upn(sam));
  const storedWidth = async (upn: string): Promise<number | undefined> => {
    const stored = world.emu.control.getStoredPhoto(upn);
    return stored ? (await sharp(stored).metadata()).width : undefined;
  };
  /** Photo writes (PUT/DELETE of …/photo/$value, batched or not) in the emulator's request log since it was cleared. */
  const photoWrites = () => world.emu.control.requestLog().filter((e) => e.method !== 'GET' && /\/photo\/\$value$/.test(e.path));

  before(async function () {
    dc = await sambaOrSkip(this);
    const src = {
      badge: await adPhoto('grace-hopper.jpg'),
      background: await adPhoto('astronaut-eileen-collins.jpg'),
      small: await adPhoto('coffee.jpg', 648),
      loop: await adPhoto('chelsea-cat.jpg'),
      keep1: await adPhoto('raccoon.jpg'),
      keep2: await adPhoto('cameraman.jpg', 648),
      thumb: await adPhoto('rocket.jpg', 96),
    };
    for (const [k, v] of Object.entries(src)) photos.set(k, v);
    world = await buildHybridWorld(dc, 'T-drift-accuracy-e2e/Staff', [
      { sam: 'dBadge', thumbnailPhoto: src.badge, cloud: { photo: await badge(src.badge, rng(7)) } },
      { sam: 'dBackground', thumbnailPhoto: src.background, cloud: { photo: await backgroundSwap(src.background, sourceBytes('coins.jpg'), rng(8)) } },
      { sam: 'dSmall', thumbnailPhoto: src.small, cloud: { photo: await sharp(src.small).resize(96, 96).jpeg({ quality: 80 }).toBuffer() } },
      { sam: 'dLoop', thumbnailPhoto: src.loop, cloud: {} },
      { sam: 'dKeep1', thumbnailPhoto: src.keep1, cloud: { photo: (await normaliseForUpload(src.keep1)).jpeg } },
      { sam: 'dKeep2', thumbnailPhoto: src.keep2, cloud: { photo: (await normaliseForUpload(src.keep2)).jpeg } },
      { sam: 'dThumb', thumbnailPhoto: src.thumb, cloud: { photo: src.thumb } },
      ...(await atEverySize()),
    ]);
  });
  after(async () => {
    await world?.close();
  });

  it('finds the badge, the new background and the 96 px copy of a 648 px source, fixes them, and leaves re-encoded copies at every size alone', async () => {
    const r = await reconcile();
    assert.equal(r.code, 0, r.stderr);
    const s = parseJson<RunJson>(r);
    const sets = s.actions.filter((a) => a.action === 'set').map((a) => (a.upn ?? '').split('@')[0]).sort();
    assert.deepEqual(sets, ['dBackground', 'dBadge', 'dLoop', 'dSmall'], 'only the edited, undersized and missing photos are written');
    assert.match(action(s, 'dSmall')?.reason ?? '', /same picture as thumbnailPhoto, but the cloud holds 96×96, the source gives 648×648/);
    assert.match(action(s, 'dBadge')?.reason ?? '', /cloud photo differs from thumbnailPhoto: /);
    assert.match(action(s, 'dBackground')?.reason ?? '', /cloud photo differs from thumbnailPhoto: /);
    assert.ok(s.actions.every((a) => a.result === 'ok'), JSON.stringify(s.actions));
    assert.deepEqual([s.summary.users, s.summary.matched, s.attention.length], [16, 16, 0], 'every user read and matched, none needs attention');
    for (const sam of ['dBackground', 'dBadge', 'dLoop', 'dSmall']) assert.equal(world.writesOf(sam), 1, `${sam} written once`);
    const kept = ['dKeep1', 'dKeep2', 'dThumb', ...SIZED.map(([side]) => `dSize${side}`)];
    for (const sam of kept) assert.equal(world.writesOf(sam), 0, `${sam} (a cloud re-encode of its source) not written`);
    // Fixed: the cloud now holds the full-size source picture.
    for (const [sam, side] of [['dBadge', 560], ['dBackground', 560], ['dSmall', 648]] as const) assert.equal(await storedWidth(world.upn(sam)), side, sam);
    const again = parseJson<RunJson>(await reconcile());
    assert.equal(again.summary.set, 0, 'a rerun finds everything in sync');
  });

  it('a source at each size 48…648 px against Graph\'s re-encode at that size: in sync in the report', async () => {
    const r = await runHps(['report', '--format', 'json', '--config', world.configPath], { env: world.env });
    assert.equal(r.code, 0, r.stderr);
    const report = parseJson<ReportJson>(r);
    for (const [side] of SIZED) {
      const u = report.users.find((x) => x.upn === world.upn(`dSize${side}`));
      assert.equal(u?.status, 'in-sync', `${side} px: ${u?.reason}`);
      assert.equal(await storedWidth(world.upn(`dSize${side}`)), side);
    }
  });

  it('the cloud re-encode of an unedited source is the same picture at every size Graph serves, 48…648', async () => {
    for (const sam of ['dKeep1', 'dKeep2']) {
      const stored = world.emu.control.getStoredPhoto(world.upn(sam));
      assert.ok(stored);
      const meta = await sharp(stored).metadata();
      const source = await fingerprint(photos.get(sam === 'dKeep1' ? 'keep1' : 'keep2') as Buffer);
      const sizes = availableSizes(meta.width, meta.height);
      assert.deepEqual(sizes, sam === 'dKeep1' ? HD_SIZES.slice(0, -1) : [...HD_SIZES], `${sam} is served at every size up to its own`);
      for (const size of sizes) {
        const copy = await resizeTo({ jpeg: stored, width: meta.width, height: meta.height }, size);
        const cmp = comparePrints(source, await fingerprint(copy.jpeg));
        assert.ok(cmp.same, `${sam} at ${size} px: ${cmp.why} ${JSON.stringify(cmp.ratios)}`);
      }
    }
  });

  it('a full-size push replaced by a small copy is "overwritten by directory sync": reported, counted, not pushed again until --reload or a new source', async () => {
    const upn = world.upn('dLoop');
    const loop = photos.get('loop') as Buffer;
    const { control } = world.emu;
    assert.equal(world.writesOf('dLoop'), 1, 'the first run pushed the full-size photo');
    assert.equal(await storedWidth(upn), 560);
    // Entra Connect flows AD's thumbnailPhoto over our push: a 96 px copy of the same picture, a new etag, no Graph write.
    const directorySync = async (): Promise<void> => {
      await control.setCloudPhoto(upn, await sharp(loop).resize(96, 96).jpeg({ quality: 80 }).toBuffer());
      assert.equal(await storedWidth(upn), 96);
    };
    // --full: the overwrite changes nothing in AD, so only a full read (fullEveryDays, or --full) looks at the user.
    const notPushed = async (label: string): Promise<void> => {
      control.clearLog();
      const r = await reconcile('--full');
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.summary.overwrittenBySync, 1, label);
      assert.equal(s.summary.set, 0, label);
      const item = s.attention.find((a) => a.upn === upn);
      assert.equal(item?.kind, 'overwritten-by-directory-sync', label);
      assert.match(item?.reason ?? '', /overwritten by directory sync: .*96×96.*; put the full photo into AD's thumbnailPhoto too/);
      const [, pushedEtag, nowEtag] = /\(etag (\S+) → (\S+)\)/.exec(item?.reason ?? '') ?? [];
      assert.ok(pushedEtag && nowEtag && pushedEtag !== nowEtag, `the etag moved since our push: ${item?.reason}`);
      assert.match(r.stderr, /overwritten by directory sync/);
      assert.deepEqual(photoWrites(), [], `${label}: no photo write reaches Graph`);
    };
    await directorySync();
    await notPushed('first run after the overwrite');
    await notPushed('a further run');
    assert.equal(world.writesOf('dLoop'), 1, 'not pushed again');
    assert.equal(await storedWidth(upn), 96);

    // --reload pushes the full-size photo again (and, as documented, every other source photo).
    const reloaded = await reconcile('--reload');
    assert.equal(reloaded.code, 0, reloaded.stderr);
    const rs = parseJson<RunJson>(reloaded);
    assert.deepEqual([action(rs, 'dLoop')?.action, action(rs, 'dLoop')?.result], ['set', 'ok']);
    assert.equal(rs.summary.overwrittenBySync, 0);
    assert.equal(world.writesOf('dLoop'), 2, 'pushed again by --reload');
    assert.equal(await storedWidth(upn), 560);

    // Overwritten once more: reported and held back again; then the source changes: pushed again.
    await directorySync();
    await notPushed('after the --reload push');
    const fresh = await adPhoto('ihc-tissue.jpg');
    await modifyUserPhoto(dc, world.seeded.get('dLoop')?.dn as string, 'thumbnailPhoto', fresh);
    control.clearLog();
    const r = parseJson<RunJson>(await reconcile());
    assert.deepEqual(r.actions.map((a) => [a.upn, a.action, a.result]), [[upn, 'set', 'ok']]);
    assert.equal(r.summary.overwrittenBySync, 0);
    assert.equal(photoWrites().length, 1, 'one photo write: the changed source');
    assert.equal(world.writesOf('dLoop'), 3);
    assert.equal(await storedWidth(upn), 560);
  });
});
