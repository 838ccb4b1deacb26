/**
 * The HTML drift report in a real browser (Debian's chromium driven by playwright-core): counts, one row per user,
 * no script from the data runs, the status filters work, no console errors and no resource beyond the file itself.
 * Chromium comes from $HPS_CHROMIUM or /usr/bin/chromium; without it (or playwright-core) the suite skips loudly.
 * Set $HPS_REPORT_SCREENSHOT to a path to keep the full-page screenshot for a human look.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { STATUSES, type Status } from '../../src/model.js';
import { summarise, type ClassifiedUser } from '../../src/sync/decide/classify.js';
import { renderHtml } from '../../src/report/html.js';
import { REPORT_COLUMNS, cell, type Report } from '../../src/report/model.js';
import { skipLoudly } from '../support/skip.js';

const CHROMIUM = process.env.HPS_CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium tries to phone home and logs refused connections.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Every payload sets window.__pwned (or opens a dialog) if it ever runs. */
const PAYLOADS = {
  scriptTag: '<script>window.__pwned="script";alert(1)</script>',
  imgOnerror: '<img src=x onerror="window.__pwned=\'img\'">',
  attrBreak: '" autofocus onfocus="window.__pwned=\'attr\'" x="',
  attrBreakSingle: "' onmouseover='window.__pwned=1' '",
  svg: '<svg onload=window.__pwned="svg">',
  closeTable: '</td></tr></tbody></table><script>window.__pwned="table"</script>',
  cssEscape: '</style><script>window.__pwned="style"</script>',
} as const;

const PER_STATUS: Record<Status, number> = {
  'in-sync': 8,
  drifted: 6,
  'missing-in-cloud': 4,
  'missing-in-source': 3,
  unmatched: 4,
  blocked: 2,
  error: 3,
};

const NON_ASCII_NAMES = ['Zoë Ångström', '山田 太郎', 'Jürgen Müller-Lüdenscheidt', 'Ольга Петрова', 'Siobhán Ó Briain', 'أحمد علي', 'Łukasz Żółć', 'Renée 🙂 Dubois'];

function reasonFor(status: Status, i: number): string {
  switch (status) {
    case 'in-sync':
      return `same picture (distance 0.0${i})`;
    case 'drifted':
      return `cloud photo differs from thumbnailPhoto (distance 0.${30 + i})`;
    case 'missing-in-cloud':
      return 'the cloud has no photo; the source has one (jpegPhoto)';
    case 'missing-in-source':
      return 'cloud has a photo; the source has none';
    case 'unmatched':
      return 'no cloud user found (tried immutableId; userPrincipalName)';
    case 'blocked':
      return 'photo updates are blocked by the tenant policy';
    case 'error':
      return 'cloud photo: 503 Service Unavailable';
  }
}

function buildUsers(): ClassifiedUser[] {
  const users: ClassifiedUser[] = [];
  let n = 0;
  for (const status of STATUSES) {
    for (let i = 0; i < PER_STATUS[status]; i += 1, n += 1) {
      const name = NON_ASCII_NAMES[n % NON_ASCII_NAMES.length] ?? 'User';
      const sam = `user${String(n).padStart(2, '0')}`;
      const matched = status !== 'unmatched';
      const hasDistance = status === 'in-sync' || status === 'drifted';
      users.push({
        upn: status === 'unmatched' && i === 0 ? null : `${sam}@contoso.example`,
        dn: `CN=${name} ${n},OU=Staff,DC=corp,DC=contoso,DC=example`,
        objectGuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        immutableId: Buffer.from(`guid-${n}`).toString('base64'),
        sAMAccountName: sam,
        displayName: name,
        cloudId: matched ? `cloud-${String(n).padStart(4, '0')}` : null,
        matchedBy: matched ? 'immutableId' : null,
        status,
        reason: reasonFor(status, i),
        distance: hasDistance ? Math.round(((status === 'drifted' ? 0.3 : 0) + i / 100) * 1000) / 1000 : null,
        route: n % 5 === 0 ? 'exchange-onprem' : 'graph',
        routeWhy: 'cloud mailbox',
        sourceOrigin: 'thumbnailPhoto',
        sourceSha256: null,
        sourcePhash: null,
        cloudEtag: null,
        cloudPhash: null,
      });
    }
  }
  // Hostile values, spread over several statuses (the drifted filter below must still hide exactly its rows).
  const at = (i: number): ClassifiedUser => users[i] as ClassifiedUser;
  at(0).dn = `CN=${PAYLOADS.scriptTag},OU=Staff,DC=corp`;
  at(9).reason = `HR says "use the new one" & it's ${PAYLOADS.imgOnerror}`;
  at(10).upn = `${PAYLOADS.attrBreak}@contoso.example`;
  at(11).reason = `${'the cloud photo was replaced by the user in Teams; '.repeat(4)}and HR wants the badge photo back`.slice(0, 200);
  at(15).dn = `CN=${PAYLOADS.svg},OU=Staff,DC=corp`;
  at(16).reason = `don't "guess" ${PAYLOADS.attrBreakSingle}`;
  at(21).dn = `CN=${PAYLOADS.closeTable}`;
  at(25).reason = `directory: ${PAYLOADS.cssEscape}`;
  at(28).cloudId = `'"><iframe src="https://evil.example/x"></iframe>`;
  return users;
}

interface PageRow {
  status: string | null;
  cells: string[];
  visible: boolean;
}

async function readRows(page: Page): Promise<PageRow[]> {
  return page.$$eval('tbody tr', (trs) =>
    trs.map((tr) => ({
      status: tr.getAttribute('data-status'),
      cells: Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? ''),
      visible: tr.getClientRects().length > 0,
    })),
  );
}

describe('HTML report in chromium', function () {
  this.timeout(20_000);

  let browser: Browser | undefined;
  let page: Page;
  let dir: string;
  let fileUrl: string;
  const users = buildUsers();
  const report: Report = {
    generatedAt: '2026-11-23T10:00:00.000Z',
    summary: summarise(users),
    users,
    notes: ['photo policy: cloud photos allowed', `skipped source: ${PAYLOADS.imgOnerror}`],
  };
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) skipLoudly(this, 'chromium', `no chromium at ${CHROMIUM} (apt-get install chromium, or set HPS_CHROMIUM)`);
    let pw: typeof import('playwright-core');
    try {
      pw = await import('playwright-core');
    } catch (err) {
      skipLoudly(this, 'chromium', `playwright-core cannot be loaded: ${(err as Error).message}`);
    }
    browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    dir = await mkdtemp(path.join(tmpdir(), 'hps-report-html-'));
    const file = path.join(dir, 'report.html');
    await writeFile(file, renderHtml(report), 'utf8');
    fileUrl = pathToFileURL(file).href;

    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
    // Give focus/hover payloads (autofocus, onmouseover) their chance to fire before the checks.
    await page.mouse.move(200, 300);
    await page.keyboard.press('Tab');
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the title and summary counts of the data', async () => {
    assert.equal(await page.title(), `Photo drift report ${report.generatedAt}`);
    const counts = await page.$$eval('[data-count]', (els) => els.map((e) => [e.getAttribute('data-count'), e.textContent]));
    const expected = STATUSES.filter((s) => report.summary[s] > 0).map((s) => [s, String(report.summary[s])]);
    assert.deepEqual(counts, expected);
    assert.equal(expected.length, STATUSES.length, 'the fixture covers every status');
    assert.match(await page.locator('body').innerText(), new RegExp(`\\b${users.length} users\\b`));
  });

  it('renders every user as exactly one row, values verbatim', async () => {
    const rows = await readRows(page);
    assert.equal(rows.length, users.length);
    assert.deepEqual(
      rows.map((r) => r.cells),
      users.map((u) => REPORT_COLUMNS.map((c) => cell(u, c))),
    );
    for (const s of STATUSES) {
      assert.equal(rows.filter((r) => r.status === s).length, PER_STATUS[s], `rows for ${s}`);
    }
    assert.equal(await page.locator('th').count(), REPORT_COLUMNS.length);
    const notes = await page.$$eval('p.note', (ps) => ps.map((p) => p.textContent));
    assert.deepEqual(notes, report.notes);
  });

  it('runs no script from the data', async () => {
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(dialogs, []);
    // Only the renderer's own filter script; no element carries an event-handler attribute.
    assert.equal(await page.locator('script').count(), 1);
    const handlers = await page.$$eval('*', (els) => els.flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith('on'))));
    assert.deepEqual(handlers, []);
    assert.equal(await page.locator('tbody img, tbody svg, tbody iframe').count(), 0);
  });

  it('the drifted filter hides exactly the drifted rows and shows them again', async () => {
    const box = page.locator('input[data-status="drifted"]');
    assert.equal(await box.isChecked(), true);
    const before = await readRows(page);
    assert.ok(before.every((r) => r.visible), 'all rows start visible');

    await box.uncheck();
    const unticked = await readRows(page);
    assert.deepEqual(
      unticked.map((r) => r.visible),
      unticked.map((r) => r.status !== 'drifted'),
    );
    assert.equal(unticked.filter((r) => !r.visible).length, PER_STATUS.drifted);

    await box.check();
    assert.ok((await readRows(page)).every((r) => r.visible), 'all rows visible again');
  });

  it('logs no console errors and loads nothing but the file', async () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, [fileUrl]);
  });

  it('takes a full-page screenshot', async () => {
    const shot = process.env.HPS_REPORT_SCREENSHOT ?? path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = await readFile(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const height = png.readUInt32BE(20);
    const viewport = page.viewportSize();
    assert.ok(viewport && height >= viewport.height, `full page (${height}px) is at least one viewport tall`);
  });
});
