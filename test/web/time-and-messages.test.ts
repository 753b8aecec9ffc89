// Times on the institution's clock, others on the browser's naming its zone, and validation
// messages a person can read (not zod's "Too small: expected number to be >=0"), in a real browser
// against a real hub. The browser runs in Tokyo and the institution is in Chicago (the hub's default
// zone), 15 hours apart, so a time on the browser's clock not saying so reads as the wrong day.
// Both clocks are fixed: the hub's through its injected clock, the page's through playwright's.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

// Friday 4 December, 20:30 in Chicago; already Saturday 5 December, 11:30 in Tokyo.
const NOW = new Date('2026-12-05T02:30:00Z');
const TOKYO = { timezoneId: 'Asia/Tokyo' };

describe.skipIf(!hasChromium)("the institution's clock and readable messages in a browser elsewhere", () => {
  let hub: Hub;
  let browser: Browser;
  let seed: Awaited<ReturnType<typeof seedSchedule>>;
  const ok = (res: { status: number; body: any }) => {
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const inTokyo = (email: string) => signedInPage(browser, hub.url, email, PASSWORD, undefined, { context: TOKYO, fixedTime: NOW });

  /** A merge run of the term's sections, started as it was queued. */
  const insertRun = (run: { trigger: 'manual' | 'nightly'; actor: string; dryRun: boolean; status: 'failed' | 'succeeded'; queuedAt: string; finishedAt: string; error?: string }) =>
    hub.db
      .insertInto('merge_runs')
      .values({
        trigger: run.trigger,
        actor_name: run.actor,
        options: JSON.stringify({ types: ['sections'], terms: [seed.term.code], sendUpdates: false, dryRun: run.dryRun, allowEmpty: false, force: false }),
        status: run.status,
        queued_at: run.queuedAt,
        started_at: run.queuedAt,
        finished_at: run.finishedAt,
        error: run.error ?? null,
      })
      .execute();

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startHub({ sis: 'none', clock: () => NOW });
    seed = await seedSchedule(hub.admin);
    expect(ok(await hub.admin.get('/api/v1/admin/institution')).timeZone).toBe('America/Chicago');
    // Ends at 17:00 on 31 December in Chicago: 08:00 on 1 January 2027 in Tokyo.
    ok(await hub.admin.post(`/api/v1/terms/${seed.term.id}/phases`, { name: 'Room assignment', startsAt: '2026-12-01T08:00', endsAt: '2026-12-31T17:00' }));
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("the phase badge says when the phase ends on the institution's clock, as the phase calendar does, to a Scheduler too", async () => {
    await hub.user({ email: 'scheduler@example.edu', role: 'Scheduler', departmentIds: [seed.math.id] });
    const scheduler = await inTokyo('scheduler@example.edu');
    const badge = scheduler.getByTestId('phase-badge');
    await badge.getByText('Room assignment').waitFor();
    expect(await badge.getAttribute('title')).toBe('Until 2026-12-31 17:00 (institution time, America/Chicago)');
    // The section editor's badge, from the edit rules (whose phase speaks the institution's wall-clock time).
    const section = ok(await hub.admin.post('/api/v1/sections', { termId: seed.term.id, courseId: seed.calc.id, sectionNumber: '001', component: 'LEC' }));
    await scheduler.goto(`/sections/${section.id}`);
    await scheduler.getByRole('heading', { name: /MATH 221-001/ }).waitFor();
    expect(await badge.getAttribute('title')).toBe('Until 2026-12-31 17:00 (institution time, America/Chicago)');
    await scheduler.context().close();

    const registrar = await inTokyo('registrar@example.edu');
    await registrar.goto('/admin/phases');
    await registrar.getByText('2026-12-01 08:00 → 2026-12-31 17:00 (institution time, America/Chicago)').waitFor();
    await registrar.context().close();
  });

  it("the sync dashboard counts a run on the institution's day and shows the last nightly on its clock", async () => {
    // A nightly run that failed at 20:00 on 4 December in Chicago (11:00 on the 5th in Tokyo).
    await insertRun({ trigger: 'nightly', actor: 'system', dryRun: false, status: 'failed', queuedAt: '2026-12-05T01:59:00Z', finishedAt: '2026-12-05T02:00:00Z', error: 'The SIS did not answer' });
    const page = await inTokyo('registrar@example.edu');
    await page.goto('/admin/sync');
    await page.getByTestId('dash-last-nightly').getByText('2026-12-04 20:00 (institution time, America/Chicago)').waitFor();
    const chart = page.getByTestId('error-chart');
    await chart.waitFor();
    const days = chart.locator('[data-day]');
    expect(await days.count()).toBe(30);
    // Today is still the 4th at the institution, and the run's error is counted on it.
    expect(await days.last().getAttribute('data-day')).toBe('2026-12-04');
    expect(await days.last().getAttribute('data-merge-errors')).toBe('1');
    expect(await days.first().getAttribute('data-day')).toBe('2026-11-05');
    await page.getByText("Days are the institution's (America/Chicago).").waitFor();
    await page.context().close();
  });

  it("the merge history and the audit log show their instants on the browser's clock, naming its zone", async () => {
    // Queued at 12:26:06 on 4 December in Chicago: 03:26:06 on the 5th in Tokyo.
    await insertRun({ trigger: 'manual', actor: 'registrar@example.edu', dryRun: true, status: 'succeeded', queuedAt: '2026-12-04T18:26:06Z', finishedAt: '2026-12-04T18:26:09Z' });
    await hub.db
      .insertInto('audit_log')
      .values({
        at: '2026-12-04T18:27:41Z',
        actor_type: 'system',
        actor_id: null,
        actor_name: 'Clock test',
        action: 'update',
        entity_type: 'term',
        entity_id: seed.term.id,
        changes: JSON.stringify({ name: { before: 'Fall', after: 'Fall term' } }),
        context: JSON.stringify({}),
      })
      .execute();
    const page = await inTokyo('registrar@example.edu');
    await page.goto('/admin/merges');
    const run = page.locator('tbody tr', { hasText: 'dry run' });
    expect(await run.getByRole('cell').first().innerText()).toBe('2026-12-05 03:26:06 GMT+9');
    // A screen reader hears the same time on the row's Details button.
    await run.getByRole('button', { name: 'Details of the merge queued 2026-12-05 03:26:06 GMT+9', exact: true }).waitFor();
    await page.goto('/admin/audit');
    const entry = page.locator('tbody tr', { hasText: 'Clock test' });
    expect(await entry.getByRole('cell').first().innerText()).toBe('2026-12-05 03:27:41 GMT+9');
    await page.context().close();
  });

  it('a negative capacity is refused in words beside the field', async () => {
    const section = ok(await hub.admin.post('/api/v1/sections', { termId: seed.term.id, courseId: seed.rome.id, sectionNumber: '002', component: 'LEC', capacity: 30 }));
    const page = await inTokyo('registrar@example.edu');
    await page.goto(`/sections/${section.id}`);
    await page.getByRole('heading', { name: /HIST 101-002/ }).waitFor();
    const capacity = page.getByLabel('Capacity', { exact: true });
    await capacity.fill('-5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Capacity cannot be negative').waitFor();
    expect(await capacity.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await capacity.getAttribute('aria-describedby'))!.split(' ');
    expect(await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).innerText()))).toContain('Capacity cannot be negative');
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`)).capacity).toBe(30);
    await page.context().close();
  });
});
