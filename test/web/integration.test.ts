// The integration screens in a real browser against a real hub with its job queue and workers,
// talking to a real SIS simulator (Ethos dialect) over HTTP: Execute Merge imports a term with a
// live progress bar and a report; the merge settings editor saves (with validation errors next to
// fields, a stale version explained, the maintenance switch) and shows each version in the history;
// the institution time zone saves on its own, and the nightly time and the sync dashboard are read
// in it; real-time posting turns a section Pending → Synced successfully, a meeting made every
// other week in the editor included; a SIS validation refusal shows
// "Synced with errors" with the SIS's message and lands in Integration health (retry, dismiss);
// the sync dashboard counts it.
// Set COURSEBRIDGE_SCREENSHOTS=1 to also write the PNGs in docs/screenshots/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { finishPushRun, startPushRun } from '../../src/sync/runs.ts';
import { webhookSecretContext } from '../../src/sync/notification-subscriptions.ts';
import { PASSWORD, startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, readable, startPair, type Pair } from '../sis/harness.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const SHOTS = process.env.COURSEBRIDGE_SCREENSHOTS ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : null;
async function shot(page: Page, name: string, fullPage = false) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage });
}

const LONG_TITLE = 'A title far longer than thirty characters allowed';

describe.skipIf(!hasChromium)('integration screens in a real browser against a real SIS', () => {
  let sis: Pair;
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let term: string;
  const ok = (res: { status: number; body: any }) => {
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    sis = await startPair('ethos', { seed: 'synthetic:60' });
    term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    hub = await startHub({
      sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 5_000 },
      runtime: { pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 }, pushSweepMs: 0 },
    });
    page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await sis?.sim.close();
  });

  it('imports a term with Execute Merge: the progress bar reaches done and the report appears', async () => {
    await page.getByRole('link', { name: 'Admin console' }).click();
    await page.getByRole('link', { name: 'Merges', exact: true }).click();
    const form = page.getByRole('form', { name: 'Execute Merge' });
    for (const type of ['courses', 'relationships', 'terms', 'buildings', 'rooms', 'departments', 'instructors']) await form.getByLabel(type, { exact: true }).check();
    await form.getByLabel('A term not yet in the hub').fill(term);
    await form.getByRole('button', { name: 'Execute Merge' }).click();
    const progress = page.getByRole('progressbar', { name: 'Merge progress' });
    await progress.waitFor();
    await page.waitForFunction(() => (document.querySelector('progress[aria-label="Merge progress"]') as HTMLProgressElement | null)?.value === 100, null, { timeout: 60_000 });
    const heading = page.getByRole('heading', { name: /^Merge [0-9a-f]{8}/ });
    await heading.getByText('succeeded').waitFor();
    const report = page.getByTestId('merge-report');
    await report.locator('[data-change-kind="created"]').first().waitFor();
    expect(await report.getByText(`sections × ${term}`).count()).toBeGreaterThan(0);
    expect(await report.getByRole('link', { name: 'Download the report (CSV)' }).getAttribute('href')).toMatch(/\/report\.csv$/);
    // Only errors: the synthetic SIS imports cleanly.
    await report.getByLabel('Show').selectOption('error');
    await report.getByText('Nothing changed.').waitFor();
    await shot(page, 'execute-merge');
    // The run is in the history, and the term is now in the hub.
    await page.getByRole('cell', { name: 'succeeded' }).first().waitFor();
    const terms = ok(await hub.admin.get('/api/v1/terms')).items as { code: string }[];
    expect(terms.map((t) => t.code)).toContain(term);

    // A push batch (coursebridge push) is listed as one, not as a merge of no types.
    await finishPushRun(hub.db, await startPushRun(hub.db, SYSTEM_ACTOR, [term]), { posted: 0, failed: 0 });
    await page.reload();
    await page.getByRole('cell', { name: `push only × ${term}` }).waitFor();
  });

  it('the institution time zone: a bad name refused beside its field, a good one saved through admin/institution for phases and the nightly alike', async () => {
    await page.getByRole('link', { name: 'Merge settings' }).click();
    const institution = page.getByRole('form', { name: 'Institution' });
    const zone = institution.getByLabel('Time zone');
    expect(await zone.inputValue()).toBe('America/Chicago');
    await zone.fill('Mars/Olympus_Mons');
    await institution.getByRole('button', { name: 'Save time zone' }).click();
    await institution.getByText('Use an IANA time zone name').waitFor();
    expect(await zone.getAttribute('aria-invalid')).toBe('true');
    await zone.fill('America/New_York');
    await institution.getByRole('button', { name: 'Save time zone' }).click();
    await institution.getByText('Saved: America/New_York.').waitFor();
    expect(ok(await hub.admin.get('/api/v1/admin/institution')).timeZone).toBe('America/New_York');
    // The merge settings' nightly time says which zone it is read in; they hold no zone of their own.
    await page.getByRole('form', { name: 'Merge settings' }).getByText('institution time (America/New_York)').waitFor();
    expect(ok(await hub.admin.get('/api/v1/admin/merge-settings')).settings).not.toHaveProperty('timeZone');
  });

  it('merge settings: a validation error next to its field, a stale version explained, a saved change in the history', async () => {
    const form = page.getByRole('form', { name: 'Merge settings' });
    await form.getByText('version 0').waitFor();

    // Validation errors arrive as problem+json errors[].field and sit next to their fields.
    await form.getByLabel('Nightly time').fill('25:00');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByText('Use 24-hour HH:MM').waitFor();
    expect(await form.getByLabel('Nightly time').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Nightly time').fill('03:30');

    // Enable the imported term for sections and relationships, with real time for sections.
    for (const type of ['sections', 'relationships']) await form.getByLabel(`${type}: term ${term}`).check();
    await form.getByLabel('Real time: sections').check();
    await form.getByLabel('Real time: relationships').check();
    await form.getByLabel('Comment for the history').fill(`Real time on for ${term}`);

    // Someone else saves meanwhile: the editor names their change and re-applies ours on top.
    const other = ok(await hub.admin.get('/api/v1/admin/merge-settings'));
    ok(await hub.admin.put('/api/v1/admin/merge-settings', { version: other.version, settings: { ...other.settings, deletionThreshold: 0.2 }, comment: 'Raised the deletion threshold' }));
    await form.getByRole('button', { name: 'Save settings' }).click();
    const conflict = form.getByTestId('settings-conflict');
    await conflict.getByText('version 0 → 1').waitFor();
    await conflict.getByText('deletionThreshold: 0.1 → 0.2').waitFor();
    await shot(page, 'merge-settings-stale');
    await conflict.getByRole('button', { name: 'Apply my changes to version 1' }).click();
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved — version 2.').waitFor();

    const saved = ok(await hub.admin.get('/api/v1/admin/merge-settings'));
    expect(saved.version).toBe(2);
    expect(saved.settings).toMatchObject({ nightlyTime: '03:30', deletionThreshold: 0.2 });
    expect(saved.settings.types.sections).toMatchObject({ realTime: true, enabledTerms: [term] });
    expect(saved.settings.types.relationships.enabledTerms).toEqual([term]);

    // The history lists who, when, the comment and what changed.
    const history = page.getByTestId('settings-history');
    const newest = history.locator('tbody tr').first();
    await newest.getByText(`Real time on for ${term}`).waitFor();
    expect(await newest.innerText()).toContain('registrar@example.edu');
    expect(await newest.innerText()).toContain('types.sections.realTime: false → true');
    expect(await history.locator('tbody tr').nth(1).innerText()).toContain('Raised the deletion threshold');
    await shot(page, 'merge-settings', true);
  });

  it('the maintenance switch needs a comment and is kept in the history', async () => {
    const maintenance = page.getByRole('form', { name: /Maintenance/ });
    await maintenance.getByRole('button', { name: 'Pause sync for maintenance' }).click();
    const comment = maintenance.getByLabel(/Comment/);
    await maintenance.locator('[data-field-error]').waitFor();
    expect(await comment.getAttribute('aria-invalid')).toBe('true');
    await comment.fill('Banner upgrade tonight');
    await maintenance.getByRole('button', { name: 'Pause sync for maintenance' }).click();
    await maintenance.getByText('sync paused').waitFor();
    await maintenance.getByText('Banner upgrade tonight').waitFor();
    expect(ok(await hub.admin.get('/api/v1/admin/merge-settings')).settings.maintenance).toEqual({ on: true, comment: 'Banner upgrade tonight' });
    await maintenance.getByLabel(/Comment/).fill('Upgrade done');
    await maintenance.getByRole('button', { name: 'Resume sync' }).click();
    await maintenance.getByText('sync running').waitFor();
    await page.getByTestId('settings-history').locator('tbody tr').first().getByRole('cell', { name: 'Upgrade done', exact: true }).waitFor();
    expect(ok(await hub.admin.get('/api/v1/admin/merge-settings')).settings.maintenance.on).toBe(false);
  });

  /** A section of the imported term with a room, and another active room to move it to. */
  async function sectionWithRoom() {
    const t = (ok(await hub.admin.get('/api/v1/terms')).items as { id: string; code: string }[]).find((x) => x.code === term)!;
    const sections = ok(await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=200`)).items as any[];
    const rooms = ok(await hub.admin.get('/api/v1/rooms')).items as { id: string; active: boolean }[];
    const section = sections.find((s) => s.status === 'active' && s.meetings.length === 1 && s.meetings[0].roomId && s.integrationStatus?.status === 'synced')!;
    const room = rooms.find((r) => r.active && r.id !== section.meetings[0].roomId)!;
    return { section, room, others: sections.filter((s) => s.id !== section.id && s.status === 'active') };
  }
  let picked: Awaited<ReturnType<typeof sectionWithRoom>>;

  it("real time: changing a section's room turns it Pending, then Synced successfully", async () => {
    picked = await sectionWithRoom();
    const { section, room } = picked;
    await page.goto(`/sections/${section.id}`);
    const banner = page.getByTestId('integration-status');
    await banner.getByText('Synced successfully').waitFor();
    await page.getByTestId('meeting-0').getByLabel('Room', { exact: true }).selectOption(room.id);
    // A slow SIS (every answer 1.5 s late) keeps the post in flight long enough to see it pending.
    await sis.admin('PUT', '/faults', { seed: 1, latencyMs: 1500, rules: [] });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Saved — version \d+\./).waitFor();
    await banner.getByText('Pending').waitFor();
    await banner.getByText('Synced successfully').waitFor({ timeout: 30_000 });
    await sis.admin('PUT', '/faults', { seed: 1, latencyMs: 0, rules: [] });
    // The SIS has the new room.
    const stored = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
    expect(stored.meetings[0].roomId).toBe(room.id);
    const inSis = await sis.connector.getSection(stored.sisKey);
    const roomRow = await hub.db.selectFrom('rooms').select(['sis_key']).where('id', '=', room.id).executeTakeFirstOrThrow();
    expect(inSis?.meetings[0].roomKey).toBe(roomRow.sis_key);
    await shot(page, 'integration-synced');
  });

  it('a SIS validation refusal shows "Synced with errors" with the SIS message, and Integration health lists it', async () => {
    const { section, others } = picked;
    await page.goto(`/sections/${section.id}`);
    await page.getByLabel('Title override').fill(LONG_TITLE);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const banner = page.getByTestId('integration-status');
    await banner.getByText('Synced with errors').waitFor({ timeout: 30_000 });
    await banner.getByText(/ORA-12899/).waitFor();
    await banner.click();
    const details = page.getByTestId('integration-details');
    await details.getByText('Messages from the SIS').waitFor();
    expect(await details.innerText()).toMatch(/Title override: .*ORA-12899/);
    await shot(page, 'integration-error');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // A second refused section, through the API, for retry all.
    const second = others.find((s) => s.integrationStatus?.status === 'synced')!;
    ok(await hub.admin.patch(`/api/v1/sections/${second.id}`, { version: second.version, title: `${LONG_TITLE}!` }));
    for (let i = 0; i < 300 && ok(await hub.admin.get(`/api/v1/sections/${second.id}/integration-status`)).status === 'pending'; i++) await new Promise((r) => setTimeout(r, 100));

    await page.getByRole('link', { name: 'Admin console' }).click();
    await page.getByRole('link', { name: 'Integration health' }).click();
    await page.getByTestId('health-total').getByText('2 in error').waitFor();
    const item = page.locator(`[data-health-item="${section.id}"]`);
    expect(await item.getByTestId('raw-message').innerText()).toMatch(/ORA-12899/);
    await item.getByText('A value is longer than the SIS column allows').waitFor();
    await shot(page, 'integration-health');

    // Retry one: the SIS refuses again, and says so.
    await item.getByRole('button', { name: /^Retry/ }).click();
    await page.getByRole('status').getByText(/Synced with errors — .*ORA-12899/).waitFor();
    // Retry all queues both.
    await page.getByRole('button', { name: 'Retry all' }).click();
    await page.getByText('2 records queued to post again.').waitFor();
    for (const id of [section.id, second.id])
      for (let i = 0; i < 300 && ok(await hub.admin.get(`/api/v1/sections/${id}/integration-status`)).status !== 'error'; i++) await new Promise((r) => setTimeout(r, 100));
    await page.reload();
    await page.getByTestId('health-total').getByText('2 in error').waitFor();
    // Dismiss one: it leaves the list, and is back with "Show dismissed".
    const other = page.locator(`[data-health-item="${second.id}"]`);
    await other.getByRole('button', { name: /^Dismiss/ }).click();
    await page.getByRole('dialog').getByLabel('Comment (optional)').fill('Known: fixed in Banner tomorrow');
    await page.getByRole('dialog').getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('health-total').getByText('1 in error').waitFor();
    expect(await other.count()).toBe(0);
    await page.getByLabel('Show dismissed').check();
    await other.getByText('dismissed').waitFor();
    const audit = ok(await hub.admin.get(`/api/v1/audit?entityId=${second.id}`)).items as { action: string }[];
    expect(audit.map((a) => a.action)).toContain('integration_dismiss');
  });

  it('the sync dashboard shows the errors now, the last nightly and the 30-day chart', async () => {
    await page.getByRole('link', { name: 'Sync dashboard' }).click();
    await page.getByTestId('dash-in-error').getByText('1').waitFor();
    await page.getByTestId('dash-last-nightly').getByText('No nightly run yet.').waitFor();
    await page.getByTestId('dash-last-nightly').getByText('Nightly at 03:30 (America/New_York)').waitFor();
    const chart = page.getByTestId('error-chart');
    await chart.waitFor();
    expect(await chart.locator('[data-day]').count()).toBe(30);
    expect(await chart.getAttribute('aria-label')).toMatch(/^0 merge errors across [1-9]\d* runs and 2 post errors in the last 30 days$/);
    const today = chart.locator('[data-day]').last();
    expect(await today.getAttribute('data-post-errors')).toBe('2');
    await page.getByText(`Enabled terms: ${term}`).waitFor();
    // Sections by integration status and queue depth, as GET /api/v1/admin/integration-summary answers them.
    const summary = ok(await hub.admin.get('/api/v1/admin/integration-summary')) as {
      queues: { name: string; depth: number }[];
      sectionsByStatus: Record<string, number>;
      sectionsTotal: number;
    };
    expect(summary.sectionsByStatus.error).toBeGreaterThan(0);
    const byStatus = page.getByTestId('dash-sections-by-status');
    const labels: Record<string, string> = { not_synced: 'Not synced', pending: 'Pending', synced: 'Synced', error: 'Synced with errors' };
    for (const [status, label] of Object.entries(labels)) {
      const row = byStatus.locator(`tr[data-status="${status}"]`);
      await row.getByRole('rowheader', { name: label }).waitFor();
      expect(await row.getByRole('cell').innerText()).toBe(summary.sectionsByStatus[status].toLocaleString('en-US'));
    }
    expect(await byStatus.locator('tr[data-status="total"] td').innerText()).toBe(summary.sectionsTotal.toLocaleString('en-US'));
    const queues = page.getByTestId('dash-queue-depth');
    for (const name of ['merge-run', 'push-section', 'push-relationship']) await queues.locator(`tr[data-queue="${name}"]`).getByText(/^\d+ waiting$/).waitFor();
    await shot(page, 'sync-dashboard');
  });

  it('fixing the title clears the error everywhere', async () => {
    const { section } = picked;
    await page.goto(`/sections/${section.id}`);
    await page.getByLabel('Title override').fill('Short title');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('integration-status').getByText('Synced successfully').waitFor({ timeout: 30_000 });
    await page.goto('/admin/integration-health');
    await page.getByTestId('health-total').getByText('0 in error').waitFor();
  });

  it("the editor shows a meeting as Weekly; made every other week, it posts the SIS's repeat interval 2", async () => {
    const { section } = picked;
    await page.goto(`/sections/${section.id}`);
    const meeting = page.getByTestId('meeting-0');
    const repeats = meeting.getByLabel('Repeats');
    expect(await repeats.inputValue()).toBe('1');
    expect(await repeats.locator('option:checked').innerText()).toBe('Weekly');
    expect(await meeting.locator('legend').innerText()).not.toMatch(/every/i);
    await repeats.selectOption('2');
    await meeting.locator('legend').getByText(/ every 2 weeks /).waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Saved — version \d+\./).waitFor();
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`)).meetings[0].weekInterval).toBe(2);
    const inSis = () => sis.sim.store.state.sections[section.sisKey].meetings[0].repeat;
    for (let i = 0; i < 300 && inSis()?.interval !== 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(inSis()).toEqual({ type: 'weekly', interval: 2 });
    await page.getByTestId('integration-status').getByText('Synced successfully').waitFor({ timeout: 30_000 });
  });

  /** Active sections of the term the SIS has (synced) and no relationship holds, by subject. */
  async function freeSections() {
    const t = (ok(await hub.admin.get('/api/v1/terms')).items as { id: string; code: string }[]).find((x) => x.code === term)!;
    const sections = ok(await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=200`)).items as any[];
    const related = new Set((ok(await hub.admin.get(`/api/v1/relationships?termId=${t.id}`)).items as any[]).flatMap((r) => r.members.map((m: any) => m.sectionId)));
    const free = sections.filter((s) => s.status === 'active' && s.integrationStatus?.status === 'synced' && s.sisKey && !related.has(s.id) && s.id !== picked.section.id);
    return { termId: t.id, free };
  }
  const code = (s: { subject: string; courseNumber: string; sectionNumber: string }) => `${s.subject} ${s.courseNumber}-${s.sectionNumber}`;
  async function settled(id: string) {
    for (let i = 0; i < 300; i++) {
      const r = ok(await hub.admin.get(`/api/v1/relationships/${id}`));
      if (r.integrationStatus?.status !== 'pending') return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`relationship ${id} still pending`);
  }

  it('relationship view: a new crosslist of two synced sections turns Pending, then Synced successfully', async () => {
    const { free } = await freeSections();
    const bySubject = Map.groupBy(free, (s: any) => s.subject as string);
    const [a, b] = [...bySubject.values()].find((list) => list.length >= 2)!;
    await page.goto('/sections');
    await page.getByLabel('Term').selectOption(a.termId);
    await page.getByLabel('Subject').fill(a.subject);
    await page.getByLabel(`Select ${code(a)}`).check();
    await page.getByLabel(`Select ${code(b)}`).check();
    // A slow SIS keeps the post in flight long enough to see it pending.
    await sis.admin('PUT', '/faults', { seed: 1, latencyMs: 1500, rules: [] });
    await page.getByRole('button', { name: 'Crosslist' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create crosslist' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const [rel] = ok(await hub.admin.get(`/api/v1/relationships?sectionId=${a.id}`)).items;
    await page.goto(`/sections/${a.id}`);
    const status = page.locator(`[data-relationship="${rel.id}"]`).getByTestId('relationship-integration-status');
    await status.getByText('Pending').waitFor();
    await status.getByText('Synced successfully').waitFor({ timeout: 30_000 });
    await sis.admin('PUT', '/faults', { seed: 1, latencyMs: 0, rules: [] });
    // The SIS has the crosslist, under the key the hub now holds.
    const stored = ok(await hub.admin.get(`/api/v1/relationships/${rel.id}`));
    expect(stored.integrationStatus.status).toBe('synced');
    const termKey = (await hub.db.selectFrom('terms').select(['sis_key']).where('id', '=', rel.termId).executeTakeFirstOrThrow()).sis_key!;
    const inSis = [];
    for await (const page of sis.connector.relationships(termKey)) inSis.push(...readable(page));
    expect(inSis.find((r) => r.key === stored.sisKey)?.members.map((m) => m.sectionKey).sort()).toEqual([a.sisKey, b.sisKey].sort());
    // The edit dialog shows the same status; its details open over it.
    await page.locator(`[data-relationship="${rel.id}"]`).getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit crosslist' });
    await edit.getByTestId('relationship-integration-status').getByText('Synced successfully').waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();
  });

  it('relationship view: a crosslist the SIS refuses shows "Synced with errors" with the SIS message and the details; fixed, it syncs', async () => {
    const { free, termId } = await freeSections();
    const [c, d, e] = free;
    // Someone crosslists C and D directly in the SIS; the hub does not know (no merge since).
    const termKey = (await hub.db.selectFrom('terms').select(['sis_key']).where('id', '=', termId).executeTakeFirstOrThrow()).sis_key!;
    const direct = await sis.connector.writer!.createRelationship({
      termKey,
      kind: 'crosslist',
      sharedCapacity: null,
      members: [
        { sectionKey: c.sisKey, primary: true },
        { sectionKey: d.sisKey, primary: false },
      ],
    });
    // The hub crosslists C with E: the SIS refuses, as C already belongs to the SIS's crosslist.
    const rel = ok(await hub.admin.post('/api/v1/relationships', { termId, kind: 'crosslist', sharedCapacity: null, members: [{ sectionId: c.id, primary: true }, { sectionId: e.id, primary: false }] }));
    const refused = await settled(rel.id);
    expect(refused.integrationStatus.status).toBe('error');
    const sisMessage = refused.integrationStatus.messages[0].message as string;
    expect(sisMessage).toMatch(/already belongs to XL/);

    await page.goto(`/sections/${c.id}`);
    const item = page.locator(`[data-relationship="${rel.id}"]`);
    const status = item.getByTestId('relationship-integration-status');
    await status.getByText('Synced with errors').waitFor();
    await status.getByText(sisMessage).waitFor();
    expect(await status.getAttribute('data-status')).toBe('error');
    await status.click();
    const details = page.getByRole('dialog', { name: /^Crosslist .* — Synced with errors$/ });
    await details.getByTestId('integration-details').getByText('Messages from the SIS').waitFor();
    expect(await details.getByTestId('integration-details').innerText()).toContain(sisMessage);
    expect(await details.getByTestId('integration-details').innerText()).toMatch(/the SIS refused it|rejected/);
    await shot(page, 'relationship-integration-error');
    await details.getByRole('button', { name: 'Close' }).click();

    // The edit dialog shows it too; once the SIS-side crosslist is gone, saving posts it again.
    await sis.connector.writer!.deleteRelationship(direct.sisKey!);
    await item.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit crosslist' });
    await edit.getByTestId('relationship-integration-status').getByText('Synced with errors').waitFor();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await status.getByText('Synced successfully').waitFor({ timeout: 30_000 });
    expect(await status.getByText(sisMessage).count()).toBe(0);
  });

  it("relationship view: a crosslist with a section the SIS has no key for waits for its sections' SIS keys, then syncs", async () => {
    const { free, termId } = await freeSections();
    const synced = free[0];
    // A new section the SIS refused (credit hours out of range) has no SIS key.
    const held = ok(
      await hub.admin.post('/api/v1/sections', { termId, courseId: synced.courseId, sectionNumber: 'Z91', component: synced.component, capacity: 10, credits: 99 }),
    );
    expect(held.sisKey).toBeNull();
    const rel = ok(await hub.admin.post('/api/v1/relationships', { termId, kind: 'crosslist', sharedCapacity: null, members: [{ sectionId: synced.id, primary: true }, { sectionId: held.id, primary: false }] }));
    await page.goto(`/sections/${synced.id}`);
    const status = page.locator(`[data-relationship="${rel.id}"]`).getByTestId('relationship-integration-status');
    await status.getByText("Waiting for its sections' SIS keys").waitFor({ timeout: 30_000 });
    expect(await status.getAttribute('data-detail')).toBe('waiting_for_sections');
    // Fixing the section posts it; with its key the crosslist goes too, and the view follows.
    const current = ok(await hub.admin.get(`/api/v1/sections/${held.id}`));
    ok(await hub.admin.patch(`/api/v1/sections/${held.id}`, { version: current.version, credits: synced.credits }));
    await status.getByText('Synced successfully').waitFor({ timeout: 30_000 });
  });
  it('notifications: subscribe, a bad webhook URL named beside its field, the saved key kept unseen, unsubscribe', async () => {
    await page.goto('/admin/notifications');
    const form = page.getByRole('form', { name: 'Integration notifications' });
    await page.getByTestId('notify-state').getByText('Not subscribed').waitFor();
    await form.getByLabel('Only when a run meets errors').check();
    await form.getByLabel('Email').fill('scheduling@example.edu');
    await form.getByLabel('Webhook URL (optional)').fill('not a url');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await form.locator('[data-field-error]').first().waitFor();
    expect(await form.locator('[data-field-error]').allInnerTexts()).toHaveLength(1);
    await form.getByLabel('Webhook URL (optional)').fill('https://hooks.example.edu/coursebridge');
    await form.getByLabel('Webhook signing key').fill('a-signing-key-of-some-length');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByText('Subscription saved.').waitFor();
    await page.getByTestId('notify-state').getByText('Subscribed: nightly runs with errors').waitFor();
    await shot(page, 'notifications');

    // Another change leaves the key as it was.
    await page.reload();
    await form.getByLabel('Email').waitFor();
    expect(await form.getByLabel('Email').inputValue()).toBe('scheduling@example.edu');
    await form.getByLabel('After every nightly run').check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('notify-state').getByText('Subscribed: every nightly run').waitFor();
    const row = await hub.db.selectFrom('notification_subscriptions').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ mode: 'every_run', email: 'scheduling@example.edu', webhook_url: 'https://hooks.example.edu/coursebridge' });
    expect(hub.runtime!.secrets.open(row.webhook_secret!, 'webhookSecret', webhookSecretContext(row.user_id))).toBe('a-signing-key-of-some-length'); // stored encrypted

    await form.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByTestId('notify-state').getByText('Not subscribed').waitFor();
    expect(await hub.db.selectFrom('notification_subscriptions').selectAll().execute()).toEqual([]);
  });
});
