// Browser tests drive Debian's chromium through playwright-core against a real hub on a random
// port serving the built web app (web/dist, rebuilt here when older than its sources).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { ensureWebBuild } from '../../web/build.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SKIP_MESSAGE = `browser tests skipped: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`;

export async function launchBrowser(): Promise<Browser> {
  ensureWebBuild();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A fresh browser context (its own cookies) signed in through the login form; `context` adds
 * options (a time zone…) and `fixedTime` is what Date says in the page, timers running as usual.
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  password: string,
  viewport = { width: 1280, height: 900 },
  options: { context?: BrowserContextOptions; fixedTime?: Date } = {},
): Promise<Page> {
  const context = await browser.newContext({ ...options.context, baseURL: baseUrl, viewport });
  if (options.fixedTime) await context.clock.setFixedTime(options.fixedTime);
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}
