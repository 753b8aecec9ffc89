// The web app in a real browser (Debian's chromium through playwright-core) against a real hub:
// sign-in, products deciding what opens, editing a section's room, a stale edit explained field by
// field, a validation error next to its field, a section's life (new, its course search answering
// late, cancel, reinstate, delete, a stale cancel asked again), the list's selection, sorting, time
// zone and department filter, copying a token's secret, a phase lock disabling fields, the backup
// download, and the phase calendar's sync overrides.
// Set COURSEBRIDGE_SCREENSHOTS=1 to also write the PNGs in docs/screenshots/.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const SHOTS = process.env.COURSEBRIDGE_SCREENSHOTS ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : null;
async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: false });
}

describe.skipIf(!hasChromium)('web app in a real browser', () => {
  let hub: Hub;
  let browser: Browser;
  let seed: Awaited<ReturnType<typeof seedSchedule>>;
  const sections: any[] = [];
  const ok = (res: { status: number; body: any }) => {
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startHub();
    seed = await seedSchedule(hub.admin);
    const cs = ok(await hub.admin.post('/api/v1/courses', { subject: 'CS', number: '125', title: 'Intro to Computer Science', credits: 4, departmentId: seed.math.id }));
    const courses = [seed.calc, seed.rome, cs];
    for (let i = 0; i < 45; i++) {
      const course = courses[i % 3];
      sections.push(
        ok(
          await hub.admin.post('/api/v1/sections', {
            termId: seed.term.id,
            courseId: course.id,
            sectionNumber: String(Math.floor(i / 3) + 1).padStart(3, '0'),
            component: i % 5 === 4 ? 'LAB' : 'LEC',
            capacity: 30,
            meetings: [{ days: i % 2 ? 'TR' : 'MWF', startTime: `${String(8 + (i % 8)).padStart(2, '0')}:00`, endTime: `${String(8 + (i % 8)).padStart(2, '0')}:50`, roomId: seed.room1.id }],
            instructors: [{ instructorId: seed.ada.id, role: 'primary' }],
          }),
        ),
      );
    }
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const mathSection = () => sections.find((s) => s.subject === 'MATH')!;
  const openEditor = async (page: Page, section: any) => {
    await page.goto(`/sections/${section.id}`);
    await page.getByRole('heading', { name: new RegExp(`${section.subject} ${section.courseNumber}-${section.sectionNumber}`) }).waitFor();
  };
  /** Opens New section as the registrar, once its first course list has loaded. */
  const openNewSection = async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByRole('button', { name: 'New section' }).click();
    const dialog = page.getByRole('dialog');
    const course = dialog.getByLabel('Course', { exact: true });
    await course.locator('option', { hasText: 'MATH 221 — Calculus I' }).waitFor({ state: 'attached' });
    return { page, dialog, course };
  };
  /** New section's next course search answers only after release(), as on a slow connection; `searching` resolves once it is asked. */
  const holdCourseSearch = async (page: Page) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const searching = new Promise<void>((resolve) => (asked = resolve));
    await page.route(
      (url) => url.pathname === '/api/v1/courses' && url.searchParams.has('q'),
      async (route) => {
        asked();
        await released;
        await route.continue();
      },
      { times: 1 },
    );
    return { searching, release };
  };

  it('signs in and lists the term’s sections', async () => {
    const context = await browser.newContext({ baseURL: hub.url, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto('/');
    await shot(page, 'login');
    await page.getByLabel('Password').fill('wrong password!!');
    await page.getByLabel('Email').fill('registrar@example.edu');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong email or password').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sections' }).waitFor();
    await page.getByText('45 sections loaded').waitFor();
    expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(1);
    expect(await page.getByLabel('Term').inputValue()).toBe(seed.term.id);

    await page.getByLabel('Subject').fill('hist');
    await page.getByText('15 sections loaded').waitFor();
    await page.getByLabel('Subject').fill('');
    await page.getByText('45 sections loaded').waitFor();
    await shot(page, 'sections');
    await context.close();
  });

  it('downloads a backup from the admin console on the embedded database, and offers none on PostgreSQL', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    const health = page.waitForResponse((r) => r.url().endsWith('/api/health'));
    await page.goto('/admin/users');
    await page.getByRole('heading', { name: 'Admin console' }).waitFor();
    await health;
    const link = page.getByRole('link', { name: 'Download backup' });
    if (hub.database.kind === 'postgres') {
      // The answer is in: had the link been drawn for it, it would be there now.
      await page.getByRole('navigation', { name: 'Admin console' }).waitFor();
      expect(await link.count()).toBe(0);
    } else {
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/^coursebridge-\d{8}T\d{6}Z\.tar\.gz$/);
      const file = await readFile((await download.path())!);
      expect(file.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
    }
    await page.context().close();
  });

  it('does not open the admin console for a Viewer', async () => {
    await hub.user({ email: 'viewer@example.edu', role: 'Viewer', products: ['scheduling'] });
    const page = await signedInPage(browser, hub.url, 'viewer@example.edu', PASSWORD);
    await page.getByRole('heading', { name: 'Sections' }).waitFor();
    expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New section' }).count()).toBe(0);
    await page.goto('/admin/users');
    await page.getByText('You cannot open the admin console').waitFor();
    expect(await page.getByRole('heading', { name: 'Users' }).count()).toBe(0);
    // A Viewer sees the editor with every field disabled.
    await openEditor(page, mathSection());
    expect(await page.getByLabel('Capacity', { exact: true }).isDisabled()).toBe(true);
    await page.context().close();
  });

  it("edits a section's room and saves it", async () => {
    const section = mathSection();
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByLabel('Subject').fill('MATH');
    await page.getByText('15 sections loaded').waitFor();
    await page.getByRole('link', { name: `${section.subject} ${section.courseNumber}-${section.sectionNumber}`, exact: true }).click();
    const room = page.getByTestId('meeting-0').getByLabel('Room', { exact: true });
    await room.waitFor();
    expect(await room.locator('option', { hasText: 'ALT 141 — 120 seats' }).count()).toBe(1);
    await room.selectOption(seed.room2.id);
    await page.getByText('Unsaved: Meetings').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved — version 2.').waitFor();
    const stored = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
    expect(stored.meetings[0].roomId).toBe(seed.room2.id);
    expect(stored.version).toBe(2);
    await shot(page, 'section-editor');
    await page.context().close();
  });

  it('saves from a second tab of a signed-in browser, and signs out there', async () => {
    const section = sections.filter((s) => s.subject === 'MATH')[6];
    const first = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    // A new tab shares the session cookie, not the first tab's storage.
    const tab = await first.context().newPage();
    await openEditor(tab, section);
    await tab.getByLabel('Capacity', { exact: true }).fill('41');
    await tab.getByRole('button', { name: 'Save', exact: true }).click();
    await tab.getByText(/^Saved — version \d+\.$/).waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`)).capacity).toBe(41);
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await tab.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await first.request.get('/api/v1/me')).status()).toBe(401);
    await first.context().close();
  });

  it('explains a stale edit field by field and lets the user re-apply it', async () => {
    const section = sections.find((s) => s.subject === 'HIST')!;
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await openEditor(page, section);
    // Someone else changes the capacity and the title meanwhile.
    ok(await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 55, title: 'Rome and its Provinces' }));
    await page.getByLabel('Capacity', { exact: true }).fill('35');
    await page.getByTestId('meeting-0').getByLabel('Room', { exact: true }).selectOption(seed.room2.id);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    const capacityRow = conflict.locator('[data-conflict-field="capacity"]');
    expect(await capacityRow.innerText()).toMatch(/Capacity\s*\(you changed it too\)\s*30\s*55\s*35/);
    expect(await conflict.locator('[data-conflict-field="title"]').innerText()).toMatch(/—\s*Rome and its Provinces/);
    expect(await conflict.innerText()).toContain('version 1 → 2');
    await shot(page, 'stale-edit');
    await page.getByRole('button', { name: 'Apply my changes to the new version' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved — version 3.').waitFor();
    const stored = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
    expect(stored).toMatchObject({ capacity: 35, title: 'Rome and its Provinces', version: 3 });
    expect(stored.meetings[0].roomId).toBe(seed.room2.id);
    await page.context().close();
  });

  it("overrides a section's source of truth for a registrar; a Scheduler sees why it is locked", async () => {
    const section = sections.filter((s) => s.subject === 'MATH')[1];
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await openEditor(page, section);
    await page.getByLabel('Source of truth').selectOption('hub');
    await page.getByText('Unsaved: Source of truth').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved — version 2.').waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`)).sourceOfTruth).toBe('hub');
    await page.context().close();

    await hub.user({ email: 'math-scheduler@example.edu', role: 'Scheduler', products: ['scheduling'], departmentIds: [seed.math.id] });
    const scheduler = await signedInPage(browser, hub.url, 'math-scheduler@example.edu', PASSWORD);
    // Until the term's edit rules arrive nothing is locked by a phase: wait for them before reading what is.
    const rulesLoaded = scheduler.waitForResponse((r) => r.url().includes('/edit-rules') && r.ok());
    await openEditor(scheduler, section);
    await rulesLoaded;
    const field = scheduler.getByLabel('Source of truth');
    expect(await field.isDisabled()).toBe(true);
    expect(await field.inputValue()).toBe('hub');
    await scheduler.getByText('Needs the right to edit merge settings').waitFor();
    expect(await scheduler.getByLabel('Capacity', { exact: true }).isDisabled()).toBe(false);
    await scheduler.context().close();
  });

  it('shows a validation error next to its field', async () => {
    const section = sections.find((s) => s.subject === 'CS')!;
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await openEditor(page, section);
    const meeting = page.getByTestId('meeting-0');
    await meeting.getByLabel('Start time').fill('10:00');
    await meeting.getByLabel('End time').fill('09:15');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const endTime = meeting.getByLabel('End time');
    await page.getByText('End time must be after start time').waitFor();
    expect(await endTime.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await endTime.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).innerText()));
    expect(messages).toContain('End time must be after start time');
    await shot(page, 'validation-error');
    const stored = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
    expect(stored.version).toBe(1);
    await page.context().close();
  });

  it('shows an instructor the hub no longer has next to that instructor, not again under Other problems', async () => {
    const section = sections.find((s) => s.subject === 'CS')!;
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    // The instructor list the page loaded still has one removed since (a merge took them away).
    await page.route(
      (url) => url.pathname === '/api/v1/instructors',
      async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.items.push({ id: '00000000-0000-4000-8000-000000000099', name: 'Gone, Grace', email: null, departmentId: null, sisKey: null });
        await route.fulfill({ response, json: body });
      },
    );
    await openEditor(page, section);
    await page.getByLabel('Add instructor').selectOption({ label: 'Gone, Grace' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('No such instructor').waitFor();
    expect(await page.getByText('No such instructor').count()).toBe(1);
    expect(await page.getByText('Other problems').count()).toBe(0);
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`)).version).toBe(1);
    await page.context().close();
  });

  it('admin console: users with the admin warning, a token shown once, the audit log', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByRole('link', { name: 'Admin console' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    // Admin alone is refused, next to the products.
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Email').fill('dean@example.edu');
    await dialog.getByLabel('Name').fill('Dean');
    await dialog.getByLabel('Role').selectOption({ label: 'Registrar' });
    await dialog.getByLabel('Scheduling').uncheck();
    await dialog.getByLabel('Admin').check();
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.getByText("Admin cannot be a user's only product").waitFor();
    await dialog.getByLabel('Scheduling').check();
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('cell', { name: 'dean@example.edu', exact: true }).waitFor();
    // A third Admin holder is flagged.
    await hub.user({ email: 'provost@example.edu', role: 'Registrar', products: ['scheduling', 'admin'] });
    await page.reload();
    await page.getByText('3 users hold the Admin product').waitFor();
    await shot(page, 'admin-users');

    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('Banner nightly');
    await page.getByLabel('Role').selectOption({ label: 'Registrar' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('token-secret').locator('code').innerText();
    expect(secret.length).toBeGreaterThan(20);
    const me = await fetch(`${hub.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    await shot(page, 'admin-tokens');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByText(secret).count()).toBe(0);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Record type').selectOption('section');
    await page.getByLabel('Action').selectOption('update');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('capacity: 30 → 55').waitFor();
    expect(await page.locator('tbody tr', { hasText: 'create' }).count()).toBe(0);
    await shot(page, 'audit-log');
    await page.context().close();
  });

  it('says a token secret was copied only when the clipboard took it, and selects it when not', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    // A clipboard that refuses, as a browser does without the permission.
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')) } });
    });
    await page.goto('/admin/tokens');
    await page.getByLabel('Name').fill('Clipboard check');
    await page.getByLabel('Role').selectOption({ label: 'Viewer' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const box = page.getByTestId('token-secret');
    const secret = await box.locator('code').innerText();
    await box.getByRole('button', { name: 'Copy secret' }).click();
    await box.getByText('Copy failed').waitFor();
    expect(await box.getByText('Copied', { exact: true }).count()).toBe(0);
    expect(await page.evaluate(() => getSelection()?.toString())).toBe(secret);

    // No clipboard at all (a plain-HTTP origin): the same.
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined }));
    await page.evaluate(() => getSelection()?.removeAllRanges());
    await box.getByRole('button', { name: 'Copy secret' }).click();
    await page.waitForFunction((text) => getSelection()?.toString() === text, secret);
    expect(await box.getByText('Copied', { exact: true }).count()).toBe(0);

    // A clipboard that takes it.
    await page.evaluate(() =>
      Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void ((window as unknown as { copied: string }).copied = text) } }),
    );
    await box.getByRole('button', { name: 'Copy secret' }).click();
    await box.getByText('Copied', { exact: true }).waitFor();
    expect(await box.getByText('Copy failed').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { copied: string }).copied)).toBe(secret);
    await page.context().close();
  });

  it('roles: adds a role (a taken name refused next to the field), assigns it to a user, edits it, deletes an unused one', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.goto('/admin/roles');
    await page.getByRole('heading', { name: 'Roles' }).waitFor();
    // Built-in roles can be edited but not deleted.
    const registrar = page.getByRole('listitem', { name: 'Role Registrar' });
    await registrar.getByRole('button', { name: 'Edit Registrar' }).waitFor();
    expect(await registrar.getByRole('button', { name: /^Delete/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Add role' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('viewer');
    await dialog.getByLabel('View sections').check();
    await dialog.getByRole('button', { name: 'Add role' }).click();
    await dialog.getByText('A role named viewer exists').waitFor();
    expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Name').fill('Room planner');
    await dialog.getByLabel('Description').fill('Places sections in rooms for their departments.');
    await dialog.getByLabel('Edit sections').check();
    await dialog.getByLabel('View integration status').check();
    await dialog.getByLabel('Department-scoped').check();
    await dialog.getByRole('button', { name: 'Add role' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Added the role Room planner.').waitFor();
    const card = page.getByRole('listitem', { name: 'Role Room planner' });
    await card.getByText('own departments only').waitFor();
    await card.getByText('integrationStatus.view').waitFor();
    const roles = ok(await hub.admin.get('/api/v1/admin/roles')).items as { id: string; name: string; permissions: string[]; departmentScoped: boolean; builtin: boolean }[];
    const planner = roles.find((r) => r.name === 'Room planner')!;
    expect(planner).toMatchObject({ description: 'Places sections in rooms for their departments.', departmentScoped: true, builtin: false });
    expect([...planner.permissions].sort()).toEqual(['integrationStatus.view', 'sections.edit', 'sections.view']);
    await shot(page, 'admin-roles');

    // The new role is assignable at once; being department-scoped, it asks for departments.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('button', { name: 'Add user' }).click();
    const userDialog = page.getByRole('dialog');
    await userDialog.getByLabel('Email').fill('planner@example.edu');
    await userDialog.getByLabel('Name').fill('Rhea Planner');
    await userDialog.getByLabel('Password').fill(PASSWORD);
    await userDialog.getByLabel('Role').selectOption({ label: 'Room planner' });
    await userDialog.getByText('Departments (Room planner sees only these)').waitFor();
    await userDialog.getByLabel('MATH — Mathematics').check();
    await userDialog.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByRole('row', { name: /planner@example\.edu/ });
    await row.getByRole('cell', { name: 'Room planner', exact: true }).waitFor();
    const users = ok(await hub.admin.get('/api/v1/admin/users')).items as { email: string; roleId: string; departmentIds: string[]; permissions: string[] }[];
    const plannerUser = users.find((u) => u.email === 'planner@example.edu')!;
    expect(plannerUser).toMatchObject({ roleId: planner.id, departmentIds: [seed.math.id] });
    // The user signs in with the role's permissions.
    const plannerPage = await signedInPage(browser, hub.url, 'planner@example.edu', PASSWORD);
    await plannerPage.getByRole('heading', { name: 'Sections' }).waitFor();
    // Department-scoped: only the Mathematics department's courses (MATH and CS), not HIST.
    const mathCount = sections.filter((x) => x.subject !== 'HIST').length;
    expect(mathCount).toBeLessThan(sections.length);
    await plannerPage.getByText(`${mathCount} sections loaded`).waitFor();
    await plannerPage.context().close();

    // A role given to a user cannot be deleted: the API's refusal is shown.
    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    await card.getByRole('button', { name: 'Delete Room planner' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete role' }).click();
    await page.getByRole('dialog').getByText('Room planner is still given to users or tokens.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // Edit: rename it and drop a permission.
    await card.getByRole('button', { name: 'Edit Room planner' }).click();
    const edit = page.getByRole('dialog');
    await edit.getByLabel('Name').fill('Room planners');
    await edit.getByLabel('View integration status').uncheck();
    await edit.getByRole('button', { name: 'Save role' }).click();
    await page.getByText('Saved the role Room planners.').waitFor();
    const renamed = page.getByRole('listitem', { name: 'Role Room planners' });
    await renamed.waitFor();
    expect(await renamed.getByText('integrationStatus.view').count()).toBe(0);
    expect(ok(await hub.admin.get(`/api/v1/admin/roles/${planner.id}`))).toMatchObject({ name: 'Room planners', permissions: ['sections.view', 'sections.edit'] });

    // An unused custom role is deleted.
    await page.getByRole('button', { name: 'Add role' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Short-lived');
    await page.getByRole('dialog').getByRole('button', { name: 'Add role' }).click();
    const shortLived = page.getByRole('listitem', { name: 'Role Short-lived' });
    await shortLived.getByRole('button', { name: 'Delete Short-lived' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete role' }).click();
    await page.getByText('Deleted the role Short-lived.').waitFor();
    expect(await shortLived.count()).toBe(0);
    expect((ok(await hub.admin.get('/api/v1/admin/roles')).items as { name: string }[]).map((r) => r.name)).not.toContain('Short-lived');
    await page.context().close();
  });

  it('exports the filtered list as a CSV a spreadsheet opens safely: UTF-8 marked, no cell run as a formula', async () => {
    const like = sections.find((s) => s.subject === 'HIST')!;
    ok(await hub.admin.post('/api/v1/sections', { termId: seed.term.id, courseId: like.courseId, sectionNumber: 'CSV', component: 'LEC', title: '=HYPERLINK("http://evil.example")' }));
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    const hist = ok(await hub.admin.get(`/api/v1/sections?termId=${seed.term.id}&subject=HIST&limit=200`)).items.length;
    await page.getByLabel('Subject').fill('HIST');
    await page.getByText(`${hist} sections loaded`).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(text.trimEnd().split('\r\n')).toHaveLength(hist + 1);
    await page.context().close();
  });

  it('sorts the list by a column header, ascending then descending, and exports in the order shown', async () => {
    const hist = sections.filter((s) => s.subject === 'HIST');
    const [big, small] = [hist[4], hist[5]];
    for (const [section, capacity] of [[big, 90], [small, 2]] as const) {
      const { version } = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
      ok(await hub.admin.patch(`/api/v1/sections/${section.id}`, { version, capacity }));
    }
    const order = async (sort: string) => (ok(await hub.admin.get(`/api/v1/sections?termId=${seed.term.id}&subject=HIST&sort=${sort}&limit=200`)).items as { id: string }[]).map((s) => s.id);
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    const shows = (ids: string[]) =>
      page.waitForFunction((want) => [...document.querySelectorAll('tbody tr[data-section-id]')].map((r) => r.getAttribute('data-section-id')).join() === want.join(), ids);
    await page.getByLabel('Subject').fill('HIST');
    await shows(await order('code'));
    const capacity = page.getByRole('columnheader', { name: 'Cap.', exact: true });
    expect(await page.getByRole('columnheader', { name: 'Section', exact: true }).getAttribute('aria-sort')).toBe('ascending');
    expect(await capacity.getAttribute('aria-sort')).toBe('none');

    await capacity.getByRole('button', { name: 'Cap.' }).click();
    await shows(await order('capacity'));
    expect(await capacity.getAttribute('aria-sort')).toBe('ascending');
    expect(await page.getByRole('columnheader', { name: 'Section', exact: true }).getAttribute('aria-sort')).toBe('none');
    await capacity.getByRole('button', { name: 'Cap.' }).click();
    const descending = await order('-capacity');
    expect(descending[0]).toBe(big.id);
    await shows(descending);
    expect(await capacity.getAttribute('aria-sort')).toBe('descending');
    expect(await page.locator('tbody tr[data-section-id]').first().getByRole('cell').nth(5).innerText()).toBe('90');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n').slice(1);
    expect(lines[0].startsWith(`HIST 101-${big.sectionNumber},`)).toBe(true);
    expect(lines).toHaveLength(descending.length);
    await page.context().close();
  });

  it('shows an enrollment the SIS does not report as "—", sorts it after the known ones, and exports it as an empty cell', async () => {
    // A count as a SIS reported it (the hub's enrolled is its base's); the sections made here have none.
    const counted = sections.filter((s) => s.subject === 'MATH')[12];
    await hub.db.updateTable('sections').set({ sis_base: JSON.stringify({ enrolled: 7 }) }).where('id', '=', counted.id).execute();
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByLabel('Subject').fill('MATH');
    await page.getByText('15 sections loaded').waitFor();
    const enrolled = page.getByRole('columnheader', { name: 'Enr.', exact: true });
    await enrolled.getByRole('button', { name: 'Enr.' }).click();
    await page.waitForFunction((id) => document.querySelector('tbody tr[data-section-id]')?.getAttribute('data-section-id') === id, counted.id);
    const rows = page.locator('tbody tr[data-section-id]');
    expect(await rows.nth(0).getByRole('cell').nth(6).innerText()).toBe('7');
    expect(await rows.nth(1).getByRole('cell').nth(6).innerText()).toBe('—');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const [header, first, second] = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n');
    const column = header.split(',').indexOf('Enr.');
    expect([first.split(',')[column], second.split(',')[column]]).toEqual(['7', '']);
    await page.context().close();
  });

  it("finds a section by its SIS number, shows that number in the list's column chooser and in the editor's header", async () => {
    // The number as a SIS told the hub (it comes with the section's base).
    const numbered = sections.filter((s) => s.subject === 'HIST')[7];
    await hub.db.updateTable('sections').set({ sis_base: JSON.stringify({ sisNumber: '40507' }) }).where('id', '=', numbered.id).execute();
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByLabel('Search', { exact: true }).fill('40507');
    await page.getByText('1 section loaded').waitFor();
    await page.locator('summary', { hasText: 'Columns' }).click();
    await page.getByLabel('SIS number').check();
    await page.locator(`tr[data-section-id="${numbered.id}"]`).getByRole('cell', { name: '40507', exact: true }).waitFor();
    await openEditor(page, numbered);
    await page.getByText('SIS number 40507').waitFor();
    await page.context().close();
  });

  it("shows when a section was updated on the browser's clock, naming its time zone", async () => {
    const section = sections.filter((s) => s.subject === 'MATH')[13];
    const { updatedAt } = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
    const context = await browser.newContext({ baseURL: hub.url, viewport: { width: 1280, height: 900 }, timezoneId: 'America/Chicago' });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email').fill('registrar@example.edu');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('summary', { hasText: 'Columns' }).click();
    await page.getByLabel('Updated').check();
    await page.getByLabel('Subject').fill('MATH');
    const row = page.locator(`tr[data-section-id="${section.id}"]`);
    const shown = await row.getByRole('cell').last().innerText();
    const [, zone] = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} (CST|CDT)$/.exec(shown) ?? [];
    expect(zone, shown).toBeDefined();
    const chicago = new Date(Date.parse(updatedAt) - (zone === 'CST' ? 6 : 5) * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(shown).toBe(`${chicago} ${zone}`);
    await context.close();
  });

  it('crosslists selected sections from the list', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByLabel('Subject').fill('MATH');
    await page.getByText('15 sections loaded').waitFor();
    const [a, b] = sections.filter((s) => s.subject === 'MATH').slice(1, 3);
    await page.getByLabel(`Select MATH 221-${a.sectionNumber}`).check();
    await page.getByLabel(`Select MATH 221-${b.sectionNumber}`).check();
    await page.getByRole('button', { name: 'Crosslist' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Shared capacity').fill('50');
    await dialog.getByRole('button', { name: 'Create crosslist' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const rels = ok(await hub.admin.get(`/api/v1/relationships?sectionId=${a.id}`));
    expect(rels.items).toHaveLength(1);
    expect(rels.items[0]).toMatchObject({ kind: 'crosslist', sharedCapacity: 50 });
    await openEditor(page, a);
    await page.getByText('shared capacity 50').waitFor();
    await page.context().close();
  });

  it('creates a section from the list, a taken number refused next to its field, and opens its editor', async () => {
    const { page, dialog, course } = await openNewSection();
    // A slow connection: the search answers after the registrar has picked from the list shown and
    // clicked Create (a list emptied while searching once disabled the button under the click).
    const slow = await holdCourseSearch(page);
    await dialog.getByLabel('Find course').fill('calculus');
    await slow.searching;
    expect(await course.locator('option', { hasText: 'MATH 221 — Calculus I' }).count()).toBe(1);
    await dialog.getByText('Searching courses…').waitFor();
    await course.selectOption({ label: 'MATH 221 — Calculus I' });
    await dialog.getByLabel('Section number').fill('001');
    await dialog.getByLabel('Component').fill('lab');
    await dialog.getByLabel('Capacity').fill('25');
    await dialog.getByLabel('Instruction mode').selectOption('online');
    await dialog.getByLabel('Credits').fill('3');
    expect(await dialog.getByRole('button', { name: 'Create section' }).isEnabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Create section' }).click();
    await dialog.getByText('Already used by this course in this term').waitFor();
    expect(await dialog.getByLabel('Section number').getAttribute('aria-invalid')).toBe('true');
    slow.release();
    await course.locator('option', { hasText: 'HIST 101 — Ancient Rome' }).waitFor({ state: 'detached' });
    expect(await course.inputValue()).toBe(seed.calc.id);

    await dialog.getByLabel('Section number').fill('N01');
    await dialog.getByRole('button', { name: 'Create section' }).click();
    await page.getByRole('heading', { name: /MATH 221-N01/ }).waitFor();
    const id = /\/sections\/([0-9a-f-]{36})$/.exec(page.url())![1];
    expect(ok(await hub.admin.get(`/api/v1/sections/${id}`))).toMatchObject({
      termId: seed.term.id,
      sectionNumber: 'N01',
      component: 'LAB',
      capacity: 25,
      instructionMode: 'online',
      credits: 3,
      status: 'active',
      meetings: [],
    });
    // Meetings are added in the editor.
    expect(await page.getByText('No meetings: arranged.').count()).toBe(1);
    await page.context().close();
  });

  it('keeps the course picked while a course search loads, even when the search does not list it; typing again chooses what it finds', async () => {
    const { page, dialog, course } = await openNewSection();
    const slow = await holdCourseSearch(page);
    await dialog.getByLabel('Find course').fill('rome');
    await slow.searching;
    await course.selectOption({ label: 'MATH 221 — Calculus I' });
    slow.release();
    await course.locator('option', { hasText: 'CS 125 — Intro to Computer Science' }).waitFor({ state: 'detached' });
    expect(await course.locator('option').allTextContents()).toEqual(['MATH 221 — Calculus I', 'HIST 101 — Ancient Rome']);
    expect(await course.inputValue()).toBe(seed.calc.id);
    await dialog.getByText("Blank: the course's 4").waitFor();

    await dialog.getByLabel('Find course').fill('ancient rome');
    await course.locator('option', { hasText: 'MATH 221 — Calculus I' }).waitFor({ state: 'detached' });
    expect(await course.inputValue()).toBe(seed.rome.id);
    await page.context().close();
  });

  it('deletes a section from its editor once confirmed', async () => {
    const section = sections.filter((s) => s.subject === 'CS')[5];
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await openEditor(page, section);
    await page.getByRole('button', { name: 'Delete section…' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete CS 125-${section.sectionNumber}?` });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await hub.admin.get(`/api/v1/sections/${section.id}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete section…' }).click();
    await dialog.getByRole('button', { name: 'Delete section' }).click();
    await page.getByRole('heading', { name: 'Sections', exact: true }).waitFor();
    expect((await hub.admin.get(`/api/v1/sections/${section.id}`)).status).toBe(404);
    await page.context().close();
  });

  it('cancels a section keeping the unsaved edits, then reinstates it', async () => {
    const section = sections.filter((s) => s.subject === 'CS')[3];
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await openEditor(page, section);
    await page.getByLabel('Capacity', { exact: true }).fill('44');
    await page.getByRole('button', { name: 'Cancel section…' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('cancelled', { exact: true }).waitFor();
    expect(await page.getByLabel('Capacity', { exact: true }).inputValue()).toBe('44');
    await page.getByText('Unsaved: Capacity').waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`))).toMatchObject({ status: 'cancelled', capacity: 30 });

    await page.getByRole('button', { name: 'Reinstate section' }).click();
    await page.getByText('active', { exact: true }).waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`))).toMatchObject({ status: 'active', version: 3 });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved — version 4.').waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`))).toMatchObject({ status: 'active', capacity: 44 });
    const [entry] = ok(await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${section.id}&action=reinstate`)).items;
    expect(entry.changes.status).toEqual({ before: 'cancelled', after: 'active' });
    await page.context().close();
  });

  it('moves a stale cancel or reinstate to the section as saved meanwhile and asks again', async () => {
    const section = sections.filter((s) => s.subject === 'CS')[7];
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await openEditor(page, section);
    // Someone else saves the section while it is open.
    ok(await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 60 }));
    await page.getByRole('button', { name: 'Cancel section…' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone else saved this section meanwhile' }).getByText('version 2').waitFor();
    expect(await page.getByLabel('Capacity', { exact: true }).inputValue()).toBe('60');
    expect(await page.getByTestId('save-status').innerText()).toBe('');
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('cancelled', { exact: true }).waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`))).toMatchObject({ status: 'cancelled', capacity: 60, version: 3 });

    ok(await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: 3, capacity: 61 }));
    await page.getByRole('button', { name: 'Reinstate section' }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone else saved this section meanwhile' }).getByText('version 4').waitFor();
    expect(await page.getByLabel('Capacity', { exact: true }).inputValue()).toBe('61');
    await page.getByRole('button', { name: 'Reinstate section' }).click();
    await page.getByText('active', { exact: true }).waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`))).toMatchObject({ status: 'active', capacity: 61, version: 5 });
    await page.context().close();
  });

  it('drops the selection when the filters change', async () => {
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.getByLabel('Subject').fill('MATH');
    const [a, b] = sections.filter((s) => s.subject === 'MATH').slice(8, 10);
    await page.getByLabel(`Select MATH 221-${a.sectionNumber}`).check();
    await page.getByLabel(`Select MATH 221-${b.sectionNumber}`).check();
    await page.getByText('· 2 selected').waitFor();
    expect(await page.getByRole('button', { name: 'Crosslist' }).isEnabled()).toBe(true);
    await page.getByLabel('Subject').fill('HIST');
    await page.getByLabel('Select HIST 101-001').waitFor();
    expect(await page.getByTestId('section-count').innerText()).toMatch(/^\d+ sections loaded$/);
    expect(await page.getByRole('button', { name: 'Crosslist' }).isDisabled()).toBe(true);
    await page.getByLabel('Subject').fill('MATH');
    await page.getByLabel(`Select MATH 221-${a.sectionNumber}`).waitFor();
    expect(await page.getByLabel(`Select MATH 221-${a.sectionNumber}`).isChecked()).toBe(false);
    expect(await page.getByTestId('section-count').innerText()).not.toContain('selected');
    await page.context().close();
  });

  it("names the members of a relationship a department's scheduler cannot see", async () => {
    const math = sections.filter((s) => s.subject === 'MATH')[11];
    const hist = sections.filter((s) => s.subject === 'HIST')[11];
    ok(await hub.admin.post('/api/v1/relationships', { termId: seed.term.id, kind: 'combined', members: [{ sectionId: math.id, primary: true }, { sectionId: hist.id }] }));
    await hub.user({ email: 'dept-scheduler@example.edu', role: 'Scheduler', products: ['scheduling'], departmentIds: [seed.math.id] });
    const page = await signedInPage(browser, hub.url, 'dept-scheduler@example.edu', PASSWORD);
    await openEditor(page, math);
    const relationship = page.locator('[data-relationship]');
    await relationship.getByText('a section of another department').waitFor();
    await relationship.getByText(`MATH 221-${math.sectionNumber} (primary)`).waitFor();
    await page.context().close();
  });

  it("offers a department-scoped user only their departments in the list's filter", async () => {
    await hub.user({ email: 'filter-scheduler@example.edu', role: 'Scheduler', products: ['scheduling'], departmentIds: [seed.math.id] });
    const page = await signedInPage(browser, hub.url, 'filter-scheduler@example.edu', PASSWORD);
    const options = page.getByLabel('Department').locator('option');
    await options.filter({ hasText: 'MATH — Mathematics' }).waitFor({ state: 'attached' });
    expect(await options.allTextContents()).toEqual(['All your departments', 'MATH — Mathematics']);
    await page.context().close();

    // One not limited to departments is offered all of them.
    const registrar = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    const all = registrar.getByLabel('Department').locator('option');
    await all.filter({ hasText: 'HIST — History' }).waitFor({ state: 'attached' });
    expect(await all.allTextContents()).toEqual(expect.arrayContaining(['All departments', 'MATH — Mathematics', 'HIST — History']));
    await registrar.context().close();
  });

  it('disables the fields a phase locks and names the phase', async () => {
    const roles = ok(await hub.admin.get('/api/v1/admin/roles')).items as { id: string; name: string }[];
    const scheduler = roles.find((r) => r.name === 'Scheduler')!;
    ok(
      await hub.admin.post(`/api/v1/terms/${seed.term.id}/phases`, {
        name: 'Room assignment',
        startsAt: '2000-01-01T00:00',
        endsAt: '2099-01-01T00:00',
        rules: [{ roleId: scheduler.id, editableFields: ['rooms'] }],
      }),
    );
    await hub.user({ email: 'scheduler@example.edu', role: 'Scheduler', products: ['scheduling'], departmentIds: [seed.math.id] });
    const page = await signedInPage(browser, hub.url, 'scheduler@example.edu', PASSWORD);
    await page.getByTestId('phase-badge').getByText('Room assignment').waitFor();
    const section = sections.filter((s) => s.subject === 'MATH')[4];
    await openEditor(page, section);
    const capacity = page.getByLabel('Capacity', { exact: true });
    await page.getByText('🔒 Locked during the “Room assignment” phase').first().waitFor();
    expect(await capacity.isDisabled()).toBe(true);
    expect(await capacity.getAttribute('title')).toBe('Locked during the “Room assignment” phase');
    expect(await page.getByTestId('meeting-0').getByLabel('Start time').isDisabled()).toBe(true);
    const room = page.getByTestId('meeting-0').getByLabel('Room', { exact: true });
    expect(await room.isDisabled()).toBe(false);
    await room.selectOption(seed.room2.id);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved — version 2.').waitFor();
    await shot(page, 'phase-lock');
    if (SHOTS) {
      const admin = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
      await admin.goto('/admin/phases');
      await admin.getByText('in force now').waitFor();
      await shot(admin, 'phase-calendar');
      const narrow = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD, { width: 420, height: 860 });
      await narrow.getByText(/^\d+ sections loaded$/).waitFor();
      await shot(narrow, 'sections-narrow');
      await admin.context().close();
      await narrow.context().close();
    }
    await page.context().close();
  });

  it("says when the New section dialog lists only some of the courses, until a search narrows them; a variable-credit course's range is its credits", async () => {
    for (let i = 0; i < 50; i++)
      ok(await hub.admin.post('/api/v1/courses', { subject: 'PHIL', number: String(100 + i), title: `Philosophy ${i}`, credits: i === 49 ? 1 : 3, creditsMax: i === 49 ? 5 : null, departmentId: seed.hist.id }));
    const { page, dialog, course } = await openNewSection();
    await dialog.getByText('More courses match than the first 50 read').waitFor();
    await dialog.getByLabel('Find course').fill('PHIL 149');
    await course.locator('option', { hasText: 'PHIL 149 — Philosophy 49' }).waitFor({ state: 'attached' });
    expect(await dialog.getByText('More courses match').count()).toBe(0);
    await dialog.getByText("Blank: the course's 1–5").waitFor();
    await page.context().close();
  });

  it("phase calendar: what syncs during a phase, set when adding it, shown in the list, edited (a stale edit asked again) back to the merge settings", async () => {
    // A term of its own: the phase lock above holds the seeded term with a phase of 2000–2099.
    const spring = ok(
      await hub.admin.post('/api/v1/terms', {
        code: '2027-sp',
        name: 'Spring 2027',
        startsOn: '2027-01-11',
        endsOn: '2027-05-07',
        parts: [{ code: '1', name: 'Full term', startsOn: '2027-01-11', endsOn: '2027-05-07' }],
      }),
    );
    const phasesOf = async () => ok(await hub.admin.get(`/api/v1/terms/${spring.id}/phases`)).items as any[];
    const page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
    await page.goto('/admin/phases');
    await page.getByLabel('Term', { exact: true }).selectOption(spring.id);
    await page.getByText('This term has no phases').waitFor();

    const form = page.getByRole('form', { name: 'Add a phase' });
    await form.getByLabel('Name').fill('Registration');
    await form.getByLabel('Starts (institution time)').fill('2027-01-04T08:00');
    await form.getByLabel('Ends (institution time)').fill('2027-01-18T17:00');
    await form.getByRole('group', { name: 'Sync during this phase' }).waitFor();
    await form.getByLabel('Real-time posting').selectOption('Off');
    await form.getByRole('button', { name: 'Add phase' }).click();
    const item = page.getByRole('listitem', { name: 'Phase Registration' });
    const sync = item.getByTestId('phase-sync');
    await sync.filter({ hasText: 'Real-time off' }).waitFor();
    expect(await sync.innerText()).toBe('Sync: Real-time off');
    // Only what was chosen is overridden: every term type ticked is no restriction.
    expect((await phasesOf())[0].mergeSettings).toEqual({ realTime: false });

    // Edit it: the dialog starts from the phase's overrides.
    await item.getByRole('button', { name: 'Edit sync for Registration' }).click();
    let dialog = page.getByRole('dialog', { name: 'Sync during “Registration”' });
    expect(await dialog.getByLabel('Real-time posting').inputValue()).toBe('off');
    expect(await dialog.getByLabel('Nightly sync').inputValue()).toBe('');
    await dialog.getByLabel('Nightly sends updates').selectOption('Off');
    await dialog.getByLabel('courses', { exact: true }).uncheck();
    await dialog.getByRole('button', { name: 'Save sync' }).click();
    await sync.filter({ hasText: 'Send Updates off' }).waitFor();
    expect(await sync.innerText()).toBe('Sync: Real-time off · Send Updates off · Only sections and relationships sync');
    expect((await phasesOf())[0].mergeSettings).toEqual({ realTime: false, sendUpdates: false, mergeTypes: ['sections', 'relationships'] });

    // Back to the merge settings; someone saves the phase meanwhile: the dialog says what they saved and asks again.
    await item.getByRole('button', { name: 'Edit sync for Registration' }).click();
    dialog = page.getByRole('dialog', { name: 'Sync during “Registration”' });
    for (const label of ['Real-time posting', 'Nightly sends updates']) await dialog.getByLabel(label).selectOption('As merge settings');
    await dialog.getByLabel('courses', { exact: true }).check();
    const [read] = await phasesOf();
    ok(await hub.admin.patch(`/api/v1/terms/${spring.id}/phases/${read.id}`, { version: read.version, mergeSettings: { nightly: true } }));
    await dialog.getByRole('button', { name: 'Save sync' }).click();
    const stale = dialog.getByRole('status').filter({ hasText: 'Edited meanwhile' });
    await stale.getByText(`Someone else saved this phase since you opened it (now version ${read.version + 1}). Its sync is now: Nightly on.`).waitFor();
    await sync.filter({ hasText: 'Sync: Nightly on' }).waitFor();
    expect(await dialog.getByLabel('Real-time posting').inputValue()).toBe('');
    await dialog.getByRole('button', { name: 'Save sync' }).click();
    await sync.filter({ hasText: 'Sync: As merge settings' }).waitFor();
    expect((await phasesOf())[0].mergeSettings).toBeNull();
    await page.context().close();

    // An admin without phases.edit reads the calendar and is offered no change the API would refuse.
    ok(await hub.admin.post('/api/v1/admin/roles', { name: 'Calendar reader', permissions: ['sections.view', 'audit.view'], departmentScoped: false }));
    await hub.user({ email: 'calendar-reader@example.edu', role: 'Calendar reader', products: ['scheduling', 'admin'] });
    const reader = await signedInPage(browser, hub.url, 'calendar-reader@example.edu', PASSWORD);
    await reader.goto('/admin/phases');
    await reader.getByLabel('Term', { exact: true }).selectOption(spring.id);
    await reader.getByRole('listitem', { name: 'Phase Registration' }).getByText('Sync: As merge settings').waitFor();
    expect(await reader.getByRole('button', { name: /Edit sync|Remove/ }).count()).toBe(0);
    expect(await reader.getByRole('form', { name: 'Add a phase' }).count()).toBe(0);
    await reader.context().close();
  });
});
