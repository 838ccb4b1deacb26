/**
 * The visual report end to end: Samba users and emulator cloud photos, `hps report --format html` and
 * `hps reconcile --dry-run --output html`; thumbnails from the bytes the read had, for users needing attention only,
 * decoded by Chromium.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { createPhotoGenerator } from '../../mocks/fixtures/photos/generate.js';
import { runHps } from '../support/cli.js';
import { chromiumOrSkip } from '../support/chromium.js';
import { buildHybridWorld, type HybridWorld } from '../support/hybrid-world.js';
import { htmlReportRows } from '../support/report-data.js';
import { sambaOrSkip } from '../support/world.js';

describe('visual report end to end (Samba + emulator + chromium)', function () {
  this.timeout(180_000);
  let world: HybridWorld;

  before(async function () {
    const dc = await sambaOrSkip(this);
    const gen = createPhotoGenerator();
    const photo = async (seed: number, side = 120): Promise<Buffer> => sharp(await gen.photo(seed, { size: 300 })).resize(side, side).jpeg({ quality: 85 }).toBuffer();
    world = await buildHybridWorld(dc, 'T-report-html-e2e/Staff', [
      { sam: 'vis-drift', thumbnailPhoto: await photo(1), cloud: { photo: await photo(2, 300) } },
      { sam: 'vis-same', thumbnailPhoto: await photo(3), cloud: { photo: await photo(3, 300) } },
      { sam: 'vis-missing', thumbnailPhoto: await photo(4), cloud: {} },
      { sam: 'vis-nocloud', thumbnailPhoto: await photo(5) },
      { sam: 'vis-bad', thumbnailPhoto: Buffer.concat([(await photo(6)).subarray(0, 400)]), cloud: { photo: await photo(6, 300) } },
    ]);
  });

  after(async () => {
    await world?.close();
  });

  it('report --format html shows both photos for drifted users, one where the other side has none, none for in-sync', async () => {
    const out = path.join(world.dir, 'drift.html');
    const r = await runHps(['report', '--format', 'html', '--out', out, '--config', world.configPath], { env: world.env });
    assert.equal(r.code, 0, r.stderr);
    const rows = new Map(htmlReportRows(await readFile(out, 'utf8')).map((x) => [x.upn.split('@')[0], x]));
    const thumbs = (sam: string): [boolean, boolean] => [Boolean(rows.get(sam)?.source), Boolean(rows.get(sam)?.cloud)];
    assert.equal(rows.get('vis-drift')?.status, 'drifted');
    assert.deepEqual(thumbs('vis-drift'), [true, true]);
    assert.deepEqual(thumbs('vis-same'), [false, false], 'in sync: no thumbnails');
    assert.deepEqual(thumbs('vis-missing'), [true, false]);
    assert.deepEqual(thumbs('vis-nocloud'), [true, false]);
    assert.equal(rows.get('vis-bad')?.status, 'error');
    assert.deepEqual(thumbs('vis-bad'), [false, false], 'a truncated photo has no thumbnail');
  });

  it('reconcile --dry-run --output html writes the plan page with photos and actions, and writes nothing else', async function () {
    const out = path.join(world.dir, 'plan.html');
    const r = await runHps(['reconcile', '--dry-run', '--output', 'html', '--out', out, '--config', world.configPath], { env: world.env });
    assert.equal(r.code, 1, r.stderr); // the truncated photo is an error: exit 1, as in text form
    const html = await readFile(out, 'utf8');
    assert.match(html, /<title>Reconcile plan \(dry run, nothing written\)/);
    const rows = new Map(htmlReportRows(html).map((x) => [x.upn.split('@')[0], x]));
    assert.deepEqual([rows.get('vis-drift')?.action, rows.get('vis-drift')?.result], ['set', 'planned']);
    assert.ok(rows.get('vis-drift')?.source && rows.get('vis-drift')?.cloud);
    assert.deepEqual([rows.get('vis-missing')?.action, rows.get('vis-missing')?.result], ['set', 'planned']);
    assert.equal(world.emu.control.getStoredPhoto(world.upn('vis-missing')), null, 'nothing written');

    const browser = await chromiumOrSkip(this);
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(pathToFileURL(out).href);
      await page.waitForSelector('body[data-ready="1"]');
      const drift = page.locator('#rows tr', { hasText: 'vis-drift' });
      const widths = await drift.locator('img').evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth));
      assert.deepEqual(widths, [64, 64]);
      assert.equal(await drift.locator('td.action .act').innerText(), 'set');
    } finally {
      await browser.close();
    }
  });
});
