// Who is told of integration errors and nightly runs, and of what: only subscribers whose role may
// see integration status now, under a department-scoped role only of records of their departments;
// an email or webhook that failed gets what it missed with the next digest. A hub with its workers
// and a real Ethos simulator, with a mail server and a webhook receiver on this machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Client, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { waitForRun } from './helpers.ts';
import { startReceivers, type Receivers } from './notification-receivers.ts';
import { crosslistInSis, refuse, refusedCrosslist, sectionsOfTwoDepartments, type SectionView } from './department-errors.ts';
import { importAndSync, setSync } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let termId: string;
let receivers: Receivers;
let hookBase: string;
/** The hub's clock runs this far ahead of the wall clock: each digest moves it past the settle time. */
let skewMs = 0;

/** Sections of department A (the lead's) and B (another), synced and in no relationship. */
let a: SectionView[];
let b: SectionView[];
let lead: { client: Client; id: string };
let former: { client: Client; id: string };

const PATH = '/api/v1/me/integration-notifications';
const labelOf = (s: SectionView) => `${s.subject} ${s.courseNumber} ${s.sectionNumber}`;
const mailsTo = (to: string) => receivers.mails.filter((m) => m.to === to);
const hooksAt = (path: string) => receivers.hooks.filter((h) => h.path === path).map((h) => JSON.parse(h.body));
const reset = () => {
  receivers.mails.length = 0;
  receivers.hooks.length = 0;
};

async function subscribe(client: Client, mode: 'errors' | 'every_run', name: string) {
  const res = await client.put(PATH, { mode, email: `${name}@example.edu`, webhookUrl: `${hookBase}/${name}` });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

/** Sends the digest of what failed so far (past the time the digest leaves a failure to commit). */
async function digest() {
  skewMs += 20_000;
  return hub.runtime!.notifier.errorDigest();
}

/** Starts a test with nothing left for the digest and nothing received. */
async function quiet() {
  skewMs += 60_000;
  await hub.runtime!.notifier.errorDigest();
  reset();
}

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:60' });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  receivers = await startReceivers();
  hookBase = receivers.hookBase;

  hub = await startHub({
    clock: () => new Date(Date.now() + skewMs),
    sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 2_000 },
    runtime: {
      pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 },
      pushSweepMs: 0,
      smtp: receivers.smtp,
      webhooks: { allowLoopback: true },
    },
  });
  await importAndSync(hub.admin, [term]);

  termId = (await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow()).id;
  [b, a] = await sectionsOfTwoDepartments(hub, termId);
  expect(a.length, 'sections of the second department').toBeGreaterThanOrEqual(3);
  expect(b.length, 'sections of the first department').toBeGreaterThanOrEqual(4);

  const role = await hub.admin.post('/api/v1/admin/roles', { name: 'Department lead', permissions: ['sections.view', 'integrationStatus.view'], departmentScoped: true });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  lead = await hub.user({ email: 'lead@example.edu', role: 'Department lead', departmentIds: [a[0].departmentId] });
  former = await hub.user({ email: 'former@example.edu', role: 'Department lead', departmentIds: [a[0].departmentId, b[0].departmentId] });
  await subscribe(hub.admin, 'errors', 'registrar');
  await subscribe(lead.client, 'errors', 'lead');
  await subscribe(former.client, 'errors', 'former');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
  await receivers?.close();
});

describe('the nightly run notice', () => {
  it("counts for a department-scoped subscriber only their departments' errors, without the institution's totals", async () => {
    await setSync(hub.admin, term, { realTime: false, nightly: true });
    await subscribe(lead.client, 'every_run', 'lead');
    // Waiting for the nightly (the first errors of this hub): one title the SIS refuses in the lead's department, two in another.
    for (const s of [a[1], b[0], b[1]]) {
      const current = (await hub.admin.get(`/api/v1/sections/${s.id}`)).body;
      expect((await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: current.version, title: `Another title far longer than thirty characters ${s.id}` })).status).toBe(200);
    }
    reset();
    await hub.runtime!.tickNightly(new Date('2026-03-01T08:30:00Z')); // first start: the schedule begins the next night
    const tick = await hub.runtime!.tickNightly(new Date('2026-03-02T08:30:00Z'));
    expect(tick?.runId, JSON.stringify(tick)).toBeTruthy();
    await waitForRun(hub.admin, tick!.runId!);
    for (let i = 0; i < 200 && (hooksAt('lead').length === 0 || hooksAt('registrar').length === 0); i++) await new Promise((r) => setTimeout(r, 50));

    const [institution] = hooksAt('registrar');
    expect(institution).toMatchObject({ event: 'sync.run.finished', runId: tick!.runId, pushFailures: 3 });
    expect(institution.errors).toBeGreaterThanOrEqual(3);
    const [scoped] = hooksAt('lead');
    expect(scoped).toMatchObject({ event: 'sync.run.finished', runId: tick!.runId, errors: 1, posted: null, pushFailures: null });
    expect(scoped.items.length).toBe(institution.items.length);
    expect(scoped.items.every((i: { error: string | null }) => i.error === null)).toBe(true);
    const [mail] = mailsTo('lead@example.edu');
    expect(mail.body).toContain('1 issue(s) in your departments');
    expect(mail.body).not.toMatch(/Posted to the SIS/);
  });
});

describe('the error digest', () => {
  beforeAll(async () => {
    await setSync(hub.admin, term);
  });

  it("tells a department-scoped subscriber only of errors of their departments' sections and of relationships including one, and nothing when none is theirs", async () => {
    const [b1, b2, b3, b4] = b;
    await crosslistInSis(sis, hub, termId, [b3, b4]);
    await quiet();
    await refuse(hub, a[0]);
    await refuse(hub, b1);
    const shared = await refusedCrosslist(hub, b3, a[1]); // includes a section of the lead's department
    const foreign = await refusedCrosslist(hub, b4, b2); // only sections of another department

    const sent = await digest();
    expect(sent.errors).toBe(4);
    const all = hooksAt('registrar')[0].errors as { id: string; label: string }[];
    expect(all.map((e) => e.id).sort()).toEqual([a[0].id, b1.id, shared, foreign].sort());
    const label = new Map(all.map((e) => [e.id, e.label]));
    expect(hooksAt('lead')).toHaveLength(1);
    expect(hooksAt('lead')[0].errors.map((e: { id: string }) => e.id).sort()).toEqual([a[0].id, shared].sort());
    const [mail] = mailsTo('lead@example.edu');
    expect(mail.body).toContain('2 new integration error(s)');
    expect(mail.body).toContain(labelOf(a[0]));
    expect(mail.body).toContain(label.get(shared));
    expect(mail.body).not.toContain(labelOf(b1));
    expect(mail.body).not.toContain(label.get(foreign));

    // A window with errors of other departments only: the lead gets nothing at all.
    reset();
    await refuse(hub, b1);
    expect(await digest()).toMatchObject({ errors: 1 });
    expect(mailsTo('registrar@example.edu')).toHaveLength(1);
    expect(hooksAt('registrar')).toHaveLength(1);
    expect(mailsTo('lead@example.edu')).toEqual([]);
    expect(hooksAt('lead')).toEqual([]);
  });

  it('stops telling a subscriber once their role no longer lets them see integration status', async () => {
    await quiet();
    await refuse(hub, a[2]);
    await digest();
    expect(mailsTo('former@example.edu')).toHaveLength(1);

    const user = (await hub.admin.get(`/api/v1/admin/users/${former.id}`)).body;
    const scheduler = (await hub.admin.get('/api/v1/admin/roles')).body.items.find((r: { name: string }) => r.name === 'Scheduler');
    expect((await hub.admin.patch(`/api/v1/admin/users/${former.id}`, { version: user.version, roleId: scheduler.id })).status).toBe(200);
    expect((await former.client.get(PATH)).status).toBe(403);
    reset();
    await refuse(hub, a[2]);
    await refuse(hub, b[0]);
    expect(await digest()).toMatchObject({ errors: 2 });
    expect(mailsTo('registrar@example.edu')).toHaveLength(1);
    expect(mailsTo('former@example.edu')).toEqual([]);
    expect(hooksAt('former')).toEqual([]);
  });

  it("gives a webhook that failed the errors it missed with the next digest, while other subscribers' and channels' move on", async () => {
    await quiet();
    receivers.refusing.add('lead');
    await refuse(hub, a[0]);
    expect(await digest()).toMatchObject({ errors: 1 });
    expect(hooksAt('registrar')).toHaveLength(1);
    expect(mailsTo('lead@example.edu')).toHaveLength(1);
    expect(hooksAt('lead')).toEqual([]);

    receivers.refusing.delete('lead');
    reset();
    await refuse(hub, a[2]);
    expect(await digest()).toMatchObject({ errors: 1 });
    // The webhook gets what it missed and what is new; the email and the registrar only what is new.
    expect(hooksAt('lead')[0].errors.map((e: { id: string }) => e.id)).toEqual([a[0].id, a[2].id]);
    expect(hooksAt('registrar')[0].errors.map((e: { id: string }) => e.id)).toEqual([a[2].id]);
    const [mail] = mailsTo('lead@example.edu');
    expect(mail.body).toContain(labelOf(a[2]));
    expect(mail.body).not.toContain(labelOf(a[0]));

    // Caught up: nothing is owed any more.
    reset();
    expect(await digest()).toMatchObject({ errors: 0, webhooks: 0 });
    expect(receivers.hooks).toEqual([]);
  });
});

describe('webhook URLs under COURSEBRIDGE_WEBHOOK_ALLOW_LOOPBACK (development)', () => {
  it('takes http:// only to this machine, and still no private address', async () => {
    for (const webhookUrl of ['http://hooks.example.edu/coursebridge', 'http://8.8.8.8/hook', 'http://10.0.0.8/hook', 'https://169.254.169.254/latest/meta-data/']) {
      const res = await lead.client.put(PATH, { mode: 'errors', webhookUrl });
      expect(res.status, webhookUrl).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), webhookUrl).toEqual(['webhookUrl']);
    }
    for (const webhookUrl of [`${hookBase}/lead`, 'http://localhost:9/hook', 'http://[::1]:9/hook'])
      expect((await lead.client.put(PATH, { mode: 'errors', webhookUrl })).status, webhookUrl).toBe(204);
  });
});
