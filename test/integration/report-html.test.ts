/**
 * The visual HTML report in Debian's Chromium (playwright-core): photos side by side for users that need attention,
 * in-sync users collapsed, filters, search and sort, nothing from the data runs or leaves the file, and the layout
 * fits 1,366 px without sideways scrolling. Set $HPS_REPORT_SCREENSHOT to keep the screenshot.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { distinctPhoto } from '../../mocks/fixtures/photos/generate.js';
import { STATUSES, type Status } from '../../src/model.js';
import { summarise } from '../../src/sync/decide/classify.js';
import { renderHtml } from '../../src/report/html.js';
import { createThumbnailCollector } from '../../src/usecases/thumbnails.js';
import type { Report } from '../../src/report/model.js';
import { chromiumOrSkip, watchPage, type Watch } from '../support/chromium.js';
import { photosSeen, usersPerStatus } from '../support/report-fixture.js';

const PAYLOADS = {
  scriptTag: '<script>window.__pwned="script";alert(1)</script>',
  imgOnerror: '<img src=x onerror="window.__pwned=\'img\'">',
  attrBreak: '" autofocus onfocus="window.__pwned=\'attr\'" x="',
  svg: '<svg onload=window.__pwned="svg">',
  closeScript: '</script><script>window.__pwned="json"</script>',
  cssEscape: '</style><script>window.__pwned="style"</script>',
} as const;

const PER_STATUS: Record<Status, number> = { 'in-sync': 8, drifted: 6, 'missing-in-cloud': 4, 'missing-in-source': 3, unmatched: 4, blocked: 2, error: 3 };
const ATTENTION = STATUSES.filter((s) => s !== 'in-sync').reduce((n, s) => n + PER_STATUS[s], 0);

interface Row {
  status: string | null;
  route: string | null;
  name: string;
  images: number;
  distance: string;
}

async function rows(page: Page): Promise<Row[]> {
  return page.$$eval('#rows tr[data-status]', (trs) =>
    trs.map((tr) => ({
      status: tr.getAttribute('data-status'),
      route: tr.getAttribute('data-route'),
      name: tr.querySelector('.name')?.textContent ?? '',
      images: tr.querySelectorAll('img').length,
      distance: tr.querySelector('td.dist')?.textContent ?? '',
    })),
  );
}

describe('HTML report in chromium', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let page: Page;
  let dir: string;
  let fileUrl: string;
  let watch: Watch;
  const dialogs: string[] = [];
  const users = usersPerStatus(PER_STATUS);
  let report: Report;

  before(async function () {
    browser = await chromiumOrSkip(this);
    // Hostile values across statuses; a control character and a bidi override in a name.
    users[9]!.reason = `HR says "use the new one" & it's ${PAYLOADS.imgOnerror}`;
    users[10]!.upn = `${PAYLOADS.attrBreak}@contoso.example`;
    users[12]!.displayName = `Eve\u0000 \u001b[31mRed\u202e gnp.exe`;
    users[15]!.dn = `CN=${PAYLOADS.svg},OU=Staff,DC=corp`;
    users[21]!.dn = `CN=${PAYLOADS.closeScript}`;
    users[28]!.reason = `source photo: ${PAYLOADS.cssEscape}`;
    users[8]!.displayName = `${PAYLOADS.scriptTag}`;
    // Thumbnails as a run makes them: from the bytes it has, for attention users only.
    const thumbs = createThumbnailCollector();
    for (const [n, u] of users.entries()) {
      const seen = photosSeen(u.status);
      await thumbs.add({
        objectGuid: u.objectGuid,
        status: u.status,
        ...(seen.source ? { source: await distinctPhoto(n, { size: 160 }) } : {}),
        ...(seen.cloud ? { cloud: await distinctPhoto(n + (u.status === 'drifted' ? 500 : 0), { size: 200 }) } : {}),
      });
    }
    const visuals = new Map(thumbs.visuals);
    const drifted = users.find((u) => u.status === 'drifted')!;
    visuals.set(drifted.objectGuid, { ...visuals.get(drifted.objectGuid), diff: { side: 4, cells: [0, 0, 0.2, 0.9, 0, 0, 0.4, 1, 0, 0, 0, 0.1, 0, 0, 0, 0] } });
    report = { generatedAt: '2026-11-23T10:00:00.000Z', summary: summarise(users), users, notes: ['photo policy: cloud photos allowed', `skipped source: ${PAYLOADS.imgOnerror}`], visuals };
    dir = await mkdtemp(path.join(tmpdir(), 'hps-report-html-'));
    const file = path.join(dir, 'report.html');
    await writeFile(file, renderHtml(report), 'utf8');
    fileUrl = pathToFileURL(file).href;
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    watch = await watchPage(page, fileUrl);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    await page.mouse.move(300, 400);
    await page.keyboard.press('Tab');
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the summary counts and lists the users needing attention, in-sync users collapsed to a count', async () => {
    const counts = await page.$$eval('[data-count]', (els) => els.map((e) => [e.getAttribute('data-count'), e.textContent]));
    assert.deepEqual(counts, STATUSES.map((s) => [s, String(PER_STATUS[s])]));
    const listed = await rows(page);
    assert.equal(listed.length, ATTENTION);
    assert.ok(listed.every((r) => r.status !== 'in-sync'));
    assert.match(await page.locator('.collapsed').innerText(), /8 in-sync users are not listed/);
    assert.deepEqual(listed.slice(0, 3).map((r) => r.status), ['error', 'error', 'error'], 'errors first');
  });

  it('renders the on-prem and cloud photos side by side as decoded images', async () => {
    const drifted = page.locator('#rows tr[data-status="drifted"]').first();
    const imgs = drifted.locator('img');
    assert.equal(await imgs.count(), 2);
    const decoded = await imgs.evaluateAll((els) => els.map((e) => [(e as HTMLImageElement).naturalWidth, (e as HTMLImageElement).complete, (e as HTMLImageElement).src.slice(0, 23)]));
    assert.deepEqual(decoded, [
      [64, true, 'data:image/webp;base64,'],
      [64, true, 'data:image/webp;base64,'],
    ]);
    const [a, b] = await imgs.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
    assert.ok(a && b && Math.abs(a.top - b.top) < 1 && b.left >= a.right, 'side by side, on-prem first');
    assert.equal(await page.locator('#rows tr[data-status="missing-in-cloud"] .ph').first().innerText(), 'no photo');
    assert.equal(await page.locator('#rows tr[data-status="unmatched"] .ph').first().innerText(), 'no cloud user');
    // The comparator's explanation, where given: a heat map of where the pictures differ.
    const heat = page.locator('#rows canvas');
    assert.equal(await heat.count(), 1);
    const redTopRight = await heat.evaluate((c) => (c as HTMLCanvasElement).getContext('2d')!.getImageData(3, 0, 1, 1).data[3]);
    const faintTopLeft = await heat.evaluate((c) => (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 1, 1).data[3]);
    assert.ok((redTopRight ?? 0) > 200 && (faintTopLeft ?? 255) < 40, `heat map alpha ${redTopRight}/${faintTopLeft}`);
  });

  it('shows the in-sync users on request', async () => {
    await page.click('#show-in-sync');
    assert.equal((await rows(page)).length, users.length);
    await page.uncheck('input[name=status][value="in-sync"]');
    assert.equal((await rows(page)).length, ATTENTION);
  });

  it('filters by status and by route, and searches names, UPNs, DNs and reasons', async () => {
    await page.uncheck('input[name=status][value="drifted"]');
    let listed = await rows(page);
    assert.equal(listed.length, ATTENTION - PER_STATUS.drifted);
    assert.ok(listed.every((r) => r.status !== 'drifted'));
    await page.check('input[name=status][value="drifted"]');

    await page.uncheck('input[name=route][value="graph"]');
    listed = await rows(page);
    assert.ok(listed.length > 0 && listed.every((r) => r.route === 'exchange-onprem'));
    await page.check('input[name=route][value="graph"]');

    await page.fill('#q', 'ОЛЬГА');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr[data-status]').length < 20);
    listed = await rows(page);
    assert.ok(listed.length > 0 && listed.every((r) => r.name.startsWith('Ольга')), JSON.stringify(listed));
    await page.fill('#q', 'tenant policy');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#rows tr')).every((tr) => tr.getAttribute('data-status') === 'blocked'));
    assert.equal((await rows(page)).length, PER_STATUS.blocked);
    await page.fill('#q', 'no-such-user-anywhere');
    await page.waitForSelector('#rows td.empty');
    await page.fill('#q', '');
    await page.waitForFunction((n) => document.querySelectorAll('#rows tr[data-status]').length === n, ATTENTION);
  });

  it('sorts by name and by distance', async () => {
    await page.selectOption('#sort', 'name');
    const names = (await rows(page)).map((r) => r.name);
    assert.deepEqual(names, [...names].sort(new Intl.Collator(undefined, { sensitivity: 'base', numeric: true }).compare));
    await page.selectOption('#sort', 'distance');
    const d = (await rows(page)).map((r) => r.distance).filter((x) => x !== '').map(Number);
    assert.ok(d.length === PER_STATUS.drifted && d.every((x, i) => i === 0 || (d[i - 1] as number) >= x), `descending: ${d.join(',')}`);
    await page.selectOption('#sort', 'status');
  });

  it('runs nothing from the data, strips control characters and shows hostile values as text', async () => {
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator('script:not([type])').count(), 1);
    const handlers = await page.$$eval('*', (els) => els.flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith('on'))));
    assert.deepEqual(handlers, []);
    const srcs = await page.$$eval('img', (els) => els.map((e) => e.getAttribute('src') ?? ''));
    assert.ok(srcs.every((s) => s.startsWith('data:image/webp;base64,')));
    await page.click('#show-in-sync');
    const text = await page.locator('#rows').innerText();
    assert.ok(text.includes(PAYLOADS.scriptTag), 'the script tag shows as text');
    assert.ok(text.includes('Eve [31mRed gnp.exe'), 'control and bidi characters stripped');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000\u001b\u202e]/.test(await page.content()), 'none left in the page');
    await page.uncheck('input[name=status][value="in-sync"]');
  });

  it('loads nothing but the file, and its CSP forbids any request from the page', async () => {
    const outcome = await page.evaluate(() =>
      fetch('http://127.0.0.1:9/leak').then(
        () => 'fetched',
        () => 'blocked',
      ),
    );
    assert.equal(outcome, 'blocked');
    assert.deepEqual(watch.requests, [fileUrl], 'no request left the file (route interception)');
    const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.deepEqual(
      watch.errors.filter((e) => !/Content Security Policy|ERR_BLOCKED_BY_CLIENT|Failed to fetch/.test(e)),
      [],
    );
  });

  it('fits 1,366 px without sideways scrolling; photos, names and reasons are where they belong', async () => {
    await page.click('#show-in-sync');
    // (No named functions inside evaluate: tsx would wrap them in a helper the page does not have.)
    const m = await page.evaluate((sels) => {
      const boxes = sels.map((sel) => document.querySelector(sel)!.getBoundingClientRect().toJSON() as DOMRect);
      return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, table: boxes[0]!, bar: boxes[1]!, photo: boxes[2]!, reason: boxes[3]!, user: boxes[4]! };
    }, ['table', '.bar', '#rows .pics', '#rows td.reason', '#rows td.user']);
    assert.ok(m.scroll <= m.inner, `scrollWidth ${m.scroll} > ${m.inner}`);
    assert.ok(m.table.right <= m.inner && m.bar.right <= m.inner);
    assert.ok(m.photo.width >= 128 && m.photo.left < m.user.left && m.user.right <= m.reason.left, JSON.stringify(m));
    assert.ok(m.reason.width >= 250, `reason column ${m.reason.width}px wide`);
    const shot = process.env.HPS_REPORT_SCREENSHOT ?? path.join(dir, 'report.png');
    await page.uncheck('input[name=status][value="in-sync"]');
    await page.screenshot({ path: shot, fullPage: false });
    const png = await readFile(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 1366);
  });
});
