// The web app and the API docs under the hub's Content-Security-Policy, in a real browser: the
// policy refuses nothing the web app does, and Swagger UI still draws the API and its logo (a
// data: image). The one thing it refuses there is Swagger UI's own logo's <style>, in an element
// the page replaces with that image at once.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

/** Collects what the page's CSP refuses, from before the page's first script runs. */
async function watchViolations(page: Page): Promise<() => Promise<Violation[]>> {
  await page.addInitScript(() => {
    const seen: unknown[] = ((window as unknown as { cspViolations: unknown[] }).cspViolations = []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile }));
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations: Violation[] }).cspViolations);
}

describe.skipIf(!hasChromium)('the Content-Security-Policy in a real browser', () => {
  let hub: Hub;
  let browser: Browser;

  let sectionId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    // With the integration console (its sync dashboard draws bars with inline style properties).
    hub = await startHub({ sis: 'none', runtime: { workers: false } });
    const seed = await seedSchedule(hub.admin);
    const section = await hub.admin.post('/api/v1/sections', { termId: seed.term.id, courseId: seed.calc.id, sectionNumber: '001', component: 'LEC', capacity: 30 });
    sectionId = section.body.id;
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('refuses nothing the web app does', async () => {
    const signedOut = await browser.newPage({ baseURL: hub.url });
    const onSignInForm = await watchViolations(signedOut);
    await signedOut.goto('/');
    await signedOut.getByLabel('Email').waitFor();
    expect(await onSignInForm()).toEqual([]);
    await signedOut.close();

    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    const seen = await watchViolations(page);
    for (const path of ['/', `/sections/${sectionId}`, '/admin/users', '/admin/phases', '/admin/sync', '/admin/merges']) {
      await page.goto(path);
      await page.getByTestId('signed-in-as').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await seen(), path).toEqual([]);
    }
    await page.context().close();
  });

  it('lets Swagger UI draw the API docs and their logo', async () => {
    const context = await browser.newContext({ baseURL: hub.url });
    const page = await context.newPage();
    const seen = await watchViolations(page);
    await page.goto('/api/docs');
    // Swagger UI draws the operations once it has fetched the document: wait for them, as a reader does.
    await page.locator('.opblock-summary-path', { hasText: '/api/v1/sections' }).first().waitFor();
    const logo = page.locator('.topbar-wrapper img');
    await logo.waitFor();
    expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect((await seen()).filter((v) => v.directive !== 'style-src-elem')).toEqual([]);
    await context.close();
  });
});
