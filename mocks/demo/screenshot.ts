/**
 * The README's screenshot: runs `hps demo` (the built CLI) into a temp folder and photographs its before-report in
 * Debian's Chromium at 1,366 px. Run after `npm run build`: npx tsx mocks/demo/screenshot.ts [out.png]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const out = resolve(process.argv[2] ?? 'docs/img/demo-report.png');
const dir = await mkdtemp(join(tmpdir(), 'hps-screenshot-'));
try {
  execFileSync(process.execPath, ['dist/src/cli/main.js', 'demo', '--out-dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const browser = await chromium.launch({ executablePath: process.env.HPS_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(join(dir, 'report-before.html')).href);
    await page.waitForSelector('body[data-ready="1"]');
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(`${out}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
