// The web app on a hub with no term yet, as a registrar finds it after installing: the empty list
// says where terms come from, and who can bring them links there.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHub, type Hub } from '../helpers/hub.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

describe.skipIf(!hasChromium)('sections before the first term', () => {
  let hub: Hub;
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    // With the hub's integration runtime (no SIS configured yet), as `npm start` has it.
    hub = await startHub({ sis: 'none' });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('leads an administrator to Execute Merge', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    const count = page.getByTestId('section-count');
    await count.getByText('No term yet').waitFor();
    expect(await count.innerText()).toContain('Import terms from the SIS with Execute Merge in the admin console.');
    await count.getByRole('link', { name: 'Execute Merge' }).click();
    await page.getByRole('button', { name: 'Execute Merge' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/merges');
    await page.context().close();
  });

  it('tells a scheduler without the Admin product who imports terms, with no link they cannot open', async () => {
    await hub.user({ email: 'scheduler@example.edu', role: 'Scheduler', products: ['scheduling'] });
    const page = await signedInPage(browser, hub.url, 'scheduler@example.edu', PASSWORD);
    const count = page.getByTestId('section-count');
    await count.getByText('No term yet').waitFor();
    expect(await count.innerText()).toContain('An administrator imports them from the SIS.');
    expect(await count.getByRole('link').count()).toBe(0);
    await page.context().close();
  });
});
