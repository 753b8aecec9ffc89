// The SIS connection page of the admin console in a real browser, against a real hub and the SIS
// simulator (Ethos, which checks the API key): a saved key is never shown and stays when left
// blank, so a timeout changes without retyping it and the connection test still succeeds; a bad
// setting, or a new address without the key, is refused next to its field. Only admins who may
// edit the merge settings see the page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const CONNECTION = '/api/v1/admin/sis-connection';

describe.skipIf(!hasChromium)('the SIS connection page', () => {
  let sis: Pair;
  let hub: Hub;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    sis = await startPair('ethos', { seed: 'synthetic:10' });
    hub = await startHub({ sis: 'none', runtime: { workers: false } });
    expect((await hub.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY })).status).toBe(200);
    page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await sis?.sim.close();
  });

  it('changes the timeout with the saved API key left blank, and the connection test still succeeds', async () => {
    await page.getByRole('link', { name: 'Admin console' }).click();
    await page.getByRole('link', { name: 'SIS connection' }).click();
    const form = page.getByRole('form', { name: 'SIS connection' });
    await page.getByText('Saved here, in the hub').waitFor();
    expect(await form.getByLabel('Base URL').inputValue()).toBe(sis.sim.url);
    const key = form.getByLabel('API key');
    expect(await key.getAttribute('type')).toBe('password');
    expect(await key.getAttribute('placeholder')).toBe('saved — leave blank to keep');
    expect(await key.inputValue()).toBe('');

    await form.getByLabel('Timeout (ms)').fill('12000');
    await form.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText('Connection saved.').waitFor();
    expect((await hub.admin.get(CONNECTION)).body.settings).toMatchObject({ timeoutMs: 12_000, apiKey: '********' });

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected to the ethos SIS.').waitFor();
  });

  it('shows a refused setting next to its field, and asks for the key again at a new address', async () => {
    const form = page.getByRole('form', { name: 'SIS connection' });
    const baseUrl = form.getByLabel('Base URL');
    await baseUrl.fill('not a url');
    await form.getByRole('button', { name: 'Save connection' }).click();
    await form.getByText('Invalid URL').waitFor();
    expect(await baseUrl.getAttribute('aria-invalid')).toBe('true');

    await baseUrl.fill('https://ethos.example.edu');
    await form.getByRole('button', { name: 'Save connection' }).click();
    await form.getByText('Enter the API key again: the address changed').waitFor();
    expect(await form.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
    expect(await baseUrl.getAttribute('aria-invalid')).toBeNull();
    expect((await hub.admin.get(CONNECTION)).body.settings).toMatchObject({ baseUrl: sis.sim.url });
  });

  it('shows a connection from the environment read-only, saying where it is changed, and tests it', async () => {
    const fixed = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY }, runtime: { workers: false } });
    try {
      const other = await signedInPage(browser, fixed.url, 'registrar@example.edu', PASSWORD);
      await other.goto('/admin/sis-connection');
      await other.getByText('This connection comes from the environment (COURSEBRIDGE_SIS_* variables)', { exact: false }).waitFor();
      expect(await other.getByRole('form', { name: 'SIS connection' }).count()).toBe(0);
      await other.getByText(sis.sim.url).waitFor();
      expect(await other.getByText(API_KEY).count()).toBe(0);
      await other.getByRole('button', { name: 'Test connection' }).click();
      await other.getByText('Connected to the ethos SIS.').waitFor();
      await other.context().close();
    } finally {
      await fixed.close();
    }
  });

  it('shows the demo SIS, and takes the institution’s own connection in its place', async () => {
    const demo = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: 'the demo key' }, sisSource: 'demo', runtime: { workers: false } });
    try {
      const other = await signedInPage(browser, demo.url, 'registrar@example.edu', PASSWORD);
      await other.goto('/admin/sis-connection');
      await other.getByText('This is the demo SIS', { exact: false }).waitFor();
      const form = other.getByRole('form', { name: 'SIS connection' });
      // The admin's own connection starts blank, not from the demo's address.
      expect(await form.getByLabel('Base URL').inputValue()).toBe('');
      await form.getByLabel('Base URL').fill(sis.sim.url);
      await form.getByLabel('API key').fill(API_KEY);
      await form.getByRole('button', { name: 'Save connection' }).click();
      await other.getByText('Saved here, in the hub').waitFor();
      expect((await demo.admin.get(CONNECTION)).body).toMatchObject({ source: 'database', settings: { baseUrl: sis.sim.url, apiKey: '********' } });
      await other.getByRole('button', { name: 'Test connection' }).click();
      await other.getByText('Connected to the ethos SIS.').waitFor();
      await other.context().close();
    } finally {
      await demo.close();
    }
  });

  it('is not offered to an admin who may not edit the merge settings', async () => {
    await hub.user({ email: 'viewer-admin@example.edu', role: 'Viewer', products: ['scheduling', 'admin'] });
    const viewer = await signedInPage(browser, hub.url, 'viewer-admin@example.edu', PASSWORD);
    await viewer.goto('/admin/users');
    await viewer.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Merge settings' }).waitFor();
    expect(await viewer.getByRole('link', { name: 'SIS connection' }).count()).toBe(0);
    await viewer.context().close();
  });
});
