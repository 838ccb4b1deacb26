/**
 * Debian's Chromium through playwright-core, for the HTML report tests. $HPS_CHROMIUM overrides the path; without
 * a browser (or playwright-core) the calling suite skips loudly.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { skipLoudly } from './skip.js';

export const CHROMIUM = process.env.HPS_CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium tries to phone home and logs refused connections.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function chromiumOrSkip(ctx: Mocha.Context): Promise<Browser> {
  if (!existsSync(CHROMIUM)) skipLoudly(ctx, 'chromium', `no chromium at ${CHROMIUM} (apt-get install chromium, or set HPS_CHROMIUM)`);
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch (err) {
    skipLoudly(ctx, 'chromium', `playwright-core cannot be loaded: ${(err as Error).message}`);
  }
  return pw.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Everything a page asked the network for, and console errors; every request but the file itself is aborted. */
export interface Watch {
  requests: string[];
  errors: string[];
}

export async function watchPage(page: Page, fileUrl: string): Promise<Watch> {
  const w: Watch = { requests: [], errors: [] };
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    w.requests.push(url);
    if (url === fileUrl) await route.continue();
    else await route.abort('blockedbyclient');
  });
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  return w;
}
