/**
 * The visual report at 10,000 users in Chromium: the bench tenant's mix (bench/mix.ts: 38 % need attention), real
 * thumbnails for the attention users, the whole report under the documented size budget and drawn within the
 * documented open time (docs/report-format.md#size-and-speed). Generous bounds: the numbers measured are in
 * docs/benchmarks.md; this catches a renderer that stops scaling, not a slow machine.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { kindOf, type Kind } from '../../bench/mix.js';
import { distinctPhoto } from '../../mocks/fixtures/photos/generate.js';
import type { Status } from '../../src/model.js';
import { summarise } from '../../src/sync/decide/classify.js';
import { renderHtml } from '../../src/report/html.js';
import { HTML_BUDGET } from '../../src/report/html/budget.js';
import type { UserVisual } from '../../src/report/html/page.js';
import { thumbnailUri } from '../../src/photo/thumbnail.js';
import type { Report } from '../../src/report/model.js';
import { chromiumOrSkip } from '../support/chromium.js';
import { classifiedUser, photosSeen } from '../support/report-fixture.js';

const USERS = 10_000;
const STATUS_OF: Record<Kind, Status> = {
  'in-sync': 'in-sync',
  'in-sync-by-upn': 'in-sync',
  drifted: 'drifted',
  'missing-in-cloud': 'missing-in-cloud',
  'missing-in-cloud-placeholder': 'missing-in-cloud',
  'missing-in-source': 'missing-in-source',
  unmatched: 'unmatched',
  'no-photo': 'in-sync',
  corrupt: 'error',
};

describe('HTML report at 10,000 users (bench mix) in chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let dir: string;
  let html: string;

  before(async function () {
    browser = await chromiumOrSkip(this);
    // A pool of real thumbnails (made from 96–240 px photos, as AD holds them), handed out as a run would make them.
    const pool: string[] = [];
    for (let i = 0; i < 48; i++) pool.push((await thumbnailUri(await distinctPhoto(i, { size: [96, 144, 240][i % 3] as number })))!);
    const users = Array.from({ length: USERS }, (_, n) => classifiedUser(n, STATUS_OF[kindOf(n)], n));
    const visuals = new Map<string, UserVisual>();
    for (const [n, u] of users.entries()) {
      if (u.status === 'in-sync') continue;
      const seen = photosSeen(u.status);
      const source = seen.source ? pool[n % pool.length] : undefined;
      const cloud = seen.cloud ? pool[(n + 7) % pool.length] : undefined;
      if (source || cloud) visuals.set(u.objectGuid, { thumbs: { ...(source ? { source } : {}), ...(cloud ? { cloud } : {}) } });
    }
    const report: Report = { generatedAt: '2026-11-23T10:00:00.000Z', summary: summarise(users), users, notes: [], visuals };
    const t0 = performance.now();
    html = renderHtml(report);
    process.stderr.write(`    10k report: rendered in ${Math.round(performance.now() - t0)} ms, ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, ${visuals.size} users with thumbnails\n`);
    dir = await mkdtemp(path.join(tmpdir(), 'hps-report-10k-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`stays under the size budget (${HTML_BUDGET.bytesAt10k / 1e6} MB)`, () => {
    assert.ok(Buffer.byteLength(html) <= HTML_BUDGET.bytesAt10k, `${Buffer.byteLength(html)} bytes`);
  });

  it(`opens, draws its first page and filters within the documented time (${HTML_BUDGET.openMs} ms)`, async () => {
    const file = path.join(dir, 'report.html');
    await writeFile(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
    // Requests are watched, not intercepted: interception would add its own delay to the open time.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const openMs = performance.now() - t0;
    const inPageMs = await page.evaluate(() => performance.now());
    const shown = await page.locator('#rows tr[data-status]').count();
    assert.equal(shown, 200, 'the first page of rows');
    assert.match(await page.locator('#shown').innerText(), /Showing 200 of 3,800 matching users \(10,000 in the report\)/);
    const t1 = performance.now();
    await page.fill('#q', 'user09999');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr[data-status]').length <= 1);
    const searchMs = performance.now() - t1 - 120; // minus the typing debounce
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    process.stderr.write(`    10k report: open ${Math.round(openMs)} ms (in page ${Math.round(inPageMs)} ms), search ${Math.round(searchMs)} ms\n`);
    assert.ok(openMs <= HTML_BUDGET.openMs, `opened in ${Math.round(openMs)} ms`);
    assert.ok(scroll <= 0, 'no sideways scroll');
    assert.deepEqual(requests, [url]);
    await page.close();
  });
});
