// A screen left open goes idle in a real browser: the merge history polls by itself every 10 s,
// and those polls, made with nobody at the page, do not keep the session alive, so once the idle
// limit passes the next one lands on the sign-in page; someone using the page keeps it. The page's
// clock (Playwright's) and the hub's sessions' clock move together; nothing sleeps.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHub, type Hub } from '../helpers/hub.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

describe.skipIf(!hasChromium)('a session going idle in the web app', () => {
  let hub: Hub;
  let browser: Browser;
  let now = new Date();
  let n = 0;

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startHub({ sis: 'none', runtime: { workers: false }, sessions: { idleMinutes: 60, clock: () => now } });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  /** Signed in on the merge history, whose poll runs on the page's fake timers. */
  async function onMergeHistory(): Promise<Page> {
    const email = `registrar${++n}@example.edu`;
    await hub.user({ email, role: 'Registrar', products: ['scheduling', 'admin'] });
    const page = await signedInPage(browser, hub.url, email, PASSWORD);
    await page.context().clock.install();
    await page.goto('/admin/merges');
    await page.getByRole('heading', { name: 'Merge history' }).waitFor();
    await page.waitForLoadState('networkidle');
    return page;
  }

  /** Five minutes pass on both clocks; answers the status of the poll that then runs. */
  async function fiveMinutesOfPolling(page: Page): Promise<number> {
    now = new Date(now.getTime() + 5 * 60_000);
    const [poll] = await Promise.all([page.waitForResponse((r) => r.url().includes('/api/v1/admin/merges?limit=100')), page.clock.fastForward('05:00')]);
    return poll.status();
  }

  it('shows the sign-in page at the first poll after an hour with nobody at the page', async () => {
    const page = await onMergeHistory();
    for (let minutes = 5; minutes < 60; minutes += 5) expect(await fiveMinutesOfPolling(page), `${minutes} minutes`).toBe(200);
    expect(await fiveMinutesOfPolling(page)).toBe(401);
    await page.getByRole('heading', { name: 'Sign in to Coursebridge' }).waitFor();
    await page.context().close();
  });

  it('keeps the session of someone using the page', async () => {
    const page = await onMergeHistory();
    for (let minutes = 5; minutes <= 70; minutes += 5) {
      expect(await fiveMinutesOfPolling(page), `${minutes} minutes`).toBe(200);
      // A person filters the history: a click, and the request it makes.
      await page.getByRole('heading', { name: 'Merge history' }).click();
      const [filtered] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/admin/merges?limit=100&status=')),
        page.getByLabel('Status').selectOption(minutes % 10 ? 'failed' : 'succeeded'),
      ]);
      expect(filtered.status()).toBe(200);
    }
    await expect(page.getByTestId('signed-in-as').isVisible()).resolves.toBe(true);
    await page.context().close();
  });
});
