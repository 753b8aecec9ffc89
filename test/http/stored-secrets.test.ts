// The credentials the hub stores (the SIS connection's API key, webhook signing keys) are encrypted
// in the database, and still work: the hub talks to the SIS with the key and signs webhooks with
// theirs. Without a key (PostgreSQL without COURSEBRIDGE_SECRETS_KEY) none can be saved, and
// those stored in plain text before the upgrade keep working, and are encrypted once there is one.
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleByName } from '../../src/auth/roles.ts';
import { newSecretsKey, SecretBox } from '../../src/auth/secret-box.ts';
import { createUser } from '../../src/auth/users.ts';
import type { DB } from '../../src/db/schema.ts';
import { SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { connectionInput } from '../../src/sis/settings.ts';
import { SisConnections } from '../../src/sync/connection.ts';
import { signWebhook } from '../../src/sync/notify.ts';
import { sealedV1 } from '../auth/sealed-v1.ts';
import { PASSWORD, startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, startProxy, type Pair } from '../sis/harness.ts';
import { startReceivers, type Receivers } from '../sync/notification-receivers.ts';
import { merge } from '../sync/helpers.ts';

const CONNECTION = '/api/v1/admin/sis-connection';
const SUBSCRIPTION = '/api/v1/me/integration-notifications';
const HOOK_SECRET = 'a-webhook-signing-key-4e7d';
const finished = { runId: 'r', trigger: 'nightly', status: 'succeeded', errors: 0, posted: 0, pushFailures: 0, startedAt: null, finishedAt: null, items: [] };

let sis: Pair;
let receivers: Receivers;
const hubs: Hub[] = [];

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:10' });
  receivers = await startReceivers();
});
afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await receivers?.close();
  await sis?.sim.close();
});

async function hub(options: Parameters<typeof startHub>[0] = {}): Promise<Hub> {
  const started = await startHub({ sis: 'none', ...options, runtime: { webhooks: { allowLoopback: true }, ...options.runtime } });
  hubs.push(started);
  return started;
}

/** What a dump of the two tables holding credentials shows, as text. */
async function dump(db: Kysely<DB>): Promise<string> {
  const rows = await Promise.all([db.selectFrom('sis_connection').selectAll().execute(), db.selectFrom('notification_subscriptions').selectAll().execute()]);
  return JSON.stringify(rows);
}

/** The webhook the hub posts for a finished run, to `path` on the test receiver. */
async function webhookOf(hub: Hub, path: string) {
  await hub.runtime!.notifier.runFinished(finished);
  return receivers.hooks.findLast((h) => h.path === path)!;
}

/** A connection and a subscription as the hub stored them before secrets were encrypted (or, `as` given, how it made them stored). */
const plainTextRows =
  (path: string, as = (plain: string) => plain) =>
  async (db: Kysely<DB>) => {
    await db.insertInto('sis_connection').values({ id: 1, settings: JSON.stringify({ kind: 'ethos', baseUrl: sis.sim.url, apiKey: as(API_KEY) }) }).execute();
    await subscribe(db, path, as(HOOK_SECRET));
  };

/** A Registrar subscribed to every run's webhook at `path` on the test receiver, its key stored as `stored`. */
async function subscribe(db: Kysely<DB>, path: string, stored: string) {
  const role = await roleByName(db, 'Registrar');
  const user = await createUser(db, SYSTEM_ACTOR, { email: `${path}@example.edu`, name: path, password: PASSWORD, roleId: role.id, products: ['scheduling', 'admin'], departmentIds: [] });
  await db
    .insertInto('notification_subscriptions')
    .values({ user_id: user.id, mode: 'every_run', email: null, webhook_url: `${receivers.hookBase}/${path}`, webhook_secret: stored })
    .execute();
}

describe('credentials saved through the API', () => {
  it('are stored encrypted, and the hub still reaches the SIS with its key and signs webhooks with theirs', async () => {
    const local = await hub();
    expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY })).status).toBe(200);
    const hookUrl = `${receivers.hookBase}/saved`;
    expect((await local.admin.put(SUBSCRIPTION, { mode: 'every_run', webhookUrl: hookUrl, webhookSecret: HOOK_SECRET })).status).toBe(204);

    const stored = await dump(local.db);
    expect(stored).not.toContain(API_KEY);
    expect(stored).not.toContain(HOOK_SECRET);
    const row = await local.db.selectFrom('sis_connection').select('settings').executeTakeFirstOrThrow();
    expect(row.settings).toMatchObject({ kind: 'ethos', baseUrl: sis.sim.url, apiKey: expect.stringMatching(/^enc:v2:/) });
    expect((await local.db.selectFrom('notification_subscriptions').select('webhook_secret').executeTakeFirstOrThrow()).webhook_secret).toMatch(/^enc:v2:/);
    expect((await local.admin.get(CONNECTION)).body).toMatchObject({ source: 'database', settings: { apiKey: '********' } });

    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: true });
    expect((await merge(local.admin, { types: ['terms'] })).status).toBe('succeeded');
    const hook = await webhookOf(local, 'saved');
    expect(hook.headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(hook.headers['x-coursebridge-timestamp']), hook.body));
  });

  it('stored with another key than the hub has, are refused by name rather than used', async () => {
    // What a hub with another key stored: as if COURSEBRIDGE_SECRETS_KEY had been changed.
    const other = new SecretBox(Buffer.alloc(32, 1));
    const settings = { kind: 'ethos', baseUrl: sis.sim.url, apiKey: other.seal(API_KEY, 'apiKey', `sis_connection|apiKey|ethos|${sis.sim.url}`) };
    const logs: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const local = await hub({ logger, beforeStart: (db) => db.insertInto('sis_connection').values({ id: 1, settings: JSON.stringify(settings) }).execute().then(() => {}) });
    expect(logs.map((l) => l.msg)).toEqual([
      '1 stored secrets do not open with COURSEBRIDGE_SECRETS_KEY: set COURSEBRIDGE_SECRETS_KEY to the key they were stored with, or save them again (a secret also stops opening when its row is changed or copied outside the hub)',
    ]);
    expect((await local.admin.get(CONNECTION)).body).toMatchObject({ source: 'database', settings: { apiKey: '********' } });
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The saved SIS connection's apiKey does not open with COURSEBRIDGE_SECRETS_KEY where it is stored now: it was stored with another key/),
    });
    expect((await merge(local.admin, { types: ['terms'] })).error).toMatch(/apiKey does not open with COURSEBRIDGE_SECRETS_KEY/);
  });
});

describe('credentials stored in plain text before this version', () => {
  it('are encrypted when the hub starts with a key, and keep working', async () => {
    const local = await hub({ beforeStart: plainTextRows('upgraded') });
    const stored = await dump(local.db);
    expect(stored).not.toContain(API_KEY);
    expect(stored).not.toContain(HOOK_SECRET);
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: true });
    const hook = await webhookOf(local, 'upgraded');
    expect(hook.headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(hook.headers['x-coursebridge-timestamp']), hook.body));
  });

  it('keep working without a key, with one warning at start, and no new secret can be saved: the field is named', async () => {
    const logs: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const local = await hub({ beforeStart: plainTextRows('keyless'), logger, runtime: { secrets: new SecretBox(null) } });
    expect(logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([
      '2 stored secrets are in plain text: set COURSEBRIDGE_SECRETS_KEY to encrypt them (the hub does at its next start)',
    ]);
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: true });
    const hook = await webhookOf(local, 'keyless');
    expect(hook.headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(hook.headers['x-coursebridge-timestamp']), hook.body));

    const refused = await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: 'a-new-key' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ detail: expect.stringContaining('set COURSEBRIDGE_SECRETS_KEY'), errors: [{ field: 'apiKey' }] });
    const webhook = await local.admin.put(SUBSCRIPTION, { mode: 'errors', webhookUrl: `${receivers.hookBase}/x`, webhookSecret: HOOK_SECRET });
    expect(webhook.status).toBe(409);
    expect(webhook.body.errors).toEqual([{ field: 'webhookSecret', message: expect.stringContaining('COURSEBRIDGE_SECRETS_KEY') }]);
    expect(await dump(local.db)).not.toContain('a-new-key');
    // What holds no secret is saved still.
    expect((await local.admin.put(SUBSCRIPTION, { mode: 'errors', webhookUrl: `${receivers.hookBase}/x` })).status).toBe(204);
  });
});

describe('credentials encrypted by the version before (enc:v1:, bound to no place)', () => {
  it('are sealed for their place when the hub starts, and keep working', async () => {
    const key = newSecretsKey();
    const local = await hub({ beforeStart: plainTextRows('v1', (plain) => sealedV1(plain, key)), runtime: { secrets: new SecretBox(key) } });
    const connection = (await local.db.selectFrom('sis_connection').select('settings').executeTakeFirstOrThrow()).settings as { apiKey: string };
    const [subscription] = await local.db.selectFrom('notification_subscriptions').select('webhook_secret').execute();
    expect([connection.apiKey, subscription.webhook_secret]).toEqual([expect.stringMatching(/^enc:v2:/), expect.stringMatching(/^enc:v2:/)]);
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: true });
    const hook = await webhookOf(local, 'v1');
    expect(hook.headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(hook.headers['x-coursebridge-timestamp']), hook.body));
  });
});

describe('a stored secret moved outside the hub, by someone who can write to the database', () => {
  it("is not sent to a SIS connection's address changed in the database: the test and merges name what to do, the start log counts it", async () => {
    const box = new SecretBox(newSecretsKey());
    const seen: string[] = [];
    const elsewhere = await startProxy(sis.sim.url, (req) => void seen.push(JSON.stringify(req.headers)));
    const logs: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    try {
      const local = await hub({
        logger,
        runtime: { secrets: box },
        // Saved by the hub for the simulator, then pointed elsewhere in the row itself.
        beforeStart: async (db) => {
          await new SisConnections(db, box).save(SYSTEM_ACTOR, connectionInput.parse({ kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY }));
          const { settings } = await db.selectFrom('sis_connection').select('settings').executeTakeFirstOrThrow();
          await db.updateTable('sis_connection').set({ settings: JSON.stringify({ ...(settings as object), baseUrl: elsewhere.url }) }).execute();
        },
      });
      expect(logs.map((l) => l.msg)).toEqual([expect.stringMatching(/^1 stored secrets do not open with COURSEBRIDGE_SECRETS_KEY: .*save them again/)]);
      expect((await local.admin.post(`${CONNECTION}/test`)).body).toEqual({
        ok: false,
        message: expect.stringMatching(/^The saved SIS connection's apiKey does not open with COURSEBRIDGE_SECRETS_KEY where it is stored now: .*changed or copied here outside the hub .*Save it again with its key/),
      });
      expect((await merge(local.admin, { types: ['terms'] })).error).toMatch(/apiKey does not open with COURSEBRIDGE_SECRETS_KEY where it is stored now/);
      expect(seen.filter((headers) => headers.includes(API_KEY))).toEqual([]);
      // Saved again with its key for the new address, it works there.
      expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: elsewhere.url, apiKey: API_KEY })).status).toBe(200);
      expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: true });
      expect(seen.some((headers) => headers.includes(API_KEY))).toBe(true);
    } finally {
      await elsewhere.close();
    }
  });

  it("does not open as another user's webhook key: that webhook is not sent, while the owner's is signed", async () => {
    const local = await hub();
    const owner = `${receivers.hookBase}/owner`;
    expect((await local.admin.put(SUBSCRIPTION, { mode: 'every_run', webhookUrl: owner, webhookSecret: HOOK_SECRET })).status).toBe(204);
    const { webhook_secret: copied } = await local.db.selectFrom('notification_subscriptions').select('webhook_secret').executeTakeFirstOrThrow();
    await subscribe(local.db, 'copied', copied!);
    const before = receivers.hooks.length;
    await local.runtime!.notifier.runFinished(finished);
    const sent = receivers.hooks.slice(before);
    expect(sent.map((h) => h.path)).toEqual(['owner']);
    expect(sent[0].headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(sent[0].headers['x-coursebridge-timestamp']), sent[0].body));
  });
});

describe('a saved SIS connection edited without its secret', () => {
  let local: Hub;
  const storedKey = async () => ((await local.db.selectFrom('sis_connection').select('settings').executeTakeFirstOrThrow()).settings as { apiKey: string }).apiKey;
  /** The newest audit entry of the SIS connection: what the last save changed. */
  const lastChanges = async () => (await local.admin.get('/api/v1/audit?entityType=sis_connection')).body.items[0].changes;

  beforeAll(async () => {
    local = await hub();
  });

  it('is documented in the OpenAPI document: the settings of each kind, the secret optional', async () => {
    const doc = (await local.admin.get('/api/openapi.json')).body;
    const body = doc.paths[CONNECTION].put.requestBody.content['application/json'].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split('/').at(-1)] : body;
    const kinds = Object.fromEntries(schema.oneOf.map((k: any) => [k.properties.kind.const, k]));
    expect(Object.keys(kinds).sort()).toEqual(['csv', 'ethos', 'peoplesoft']);
    expect(kinds.ethos.required).toEqual(expect.arrayContaining(['kind', 'baseUrl']));
    expect(kinds.ethos.required).not.toContain('apiKey');
    expect(kinds.ethos.properties.apiKey.description).toMatch(/saved API key stays/);
    expect(Object.keys(kinds.peoplesoft.properties)).toEqual(expect.arrayContaining(['baseUrl', 'username', 'password', 'timeoutMs']));
    expect(kinds.csv.required).toEqual(expect.arrayContaining(['kind', 'path']));
  });

  it('needs the key the first time, and names each bad field in a problem', async () => {
    const first = await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url });
    expect(first.status).toBe(400);
    expect(first.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(first.body.errors).toEqual([{ field: 'apiKey', message: 'Enter the API key' }]);
    const bad = await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: 'not a url', apiKey: API_KEY, timeoutMs: 0 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['baseUrl', 'timeoutMs']);
    expect((await local.admin.put(CONNECTION, { kind: 'peoplesoft', baseUrl: sis.sim.url, username: 'PS' })).body.errors).toEqual([{ field: 'password', message: 'Enter the password' }]);
    expect((await local.admin.get(CONNECTION)).body).toEqual({ source: 'none', settings: null });
  });

  it('keeps the saved key when it is left out or empty: the connector still authenticates, and the audit log records no new key', async () => {
    expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY })).status).toBe(200);
    const sealed = await storedKey();
    const kept = await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, timeoutMs: 10_000 });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ source: 'database', settings: { timeoutMs: 10_000, apiKey: '********' } });
    expect(await storedKey()).toBe(sealed);
    expect(await lastChanges()).toEqual({ timeoutMs: { before: 30_000, after: 10_000 } });
    expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: '', timeoutMs: 20_000 })).status).toBe(200);
    expect(await storedKey()).toBe(sealed);
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toEqual({ ok: true, message: 'Connected to the ethos SIS.' });
  });

  it('keeps the stored key when the same key is typed again, and records a different one as a new key', async () => {
    const sealed = await storedKey();
    expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 20_000 })).status).toBe(200);
    expect(await storedKey()).toBe(sealed);
    expect(await lastChanges()).toEqual({});

    expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: 'a-key-the-sis-refuses', timeoutMs: 20_000 })).status).toBe(200);
    expect(await lastChanges()).toEqual({ apiKey: { before: '********', after: '******** (new key)' } });
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: false });
    expect((await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 20_000 })).status).toBe(200);
    expect(await lastChanges()).toEqual({ apiKey: { before: '********', after: '******** (new key)' } });
    expect((await local.admin.post(`${CONNECTION}/test`)).body).toMatchObject({ ok: true });
    expect(JSON.stringify((await local.admin.get('/api/v1/audit?entityType=sis_connection')).body)).not.toMatch(/a-key-the-sis-refuses|enc:v/);
    expect(JSON.stringify((await local.admin.get('/api/v1/audit?entityType=sis_connection')).body)).not.toContain(API_KEY);
  });

  it('never sends the saved key to another address or kind: left out there, it is asked for again by name', async () => {
    const sealed = await storedKey();
    const moved = await local.admin.put(CONNECTION, { kind: 'ethos', baseUrl: 'https://ethos.example.edu' });
    expect(moved.status).toBe(400);
    expect(moved.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(moved.body.errors).toEqual([{ field: 'apiKey', message: 'Enter the API key again: the address changed' }]);
    const otherKind = await local.admin.put(CONNECTION, { kind: 'peoplesoft', baseUrl: sis.sim.url, username: 'PS', password: '' });
    expect(otherKind.status).toBe(400);
    expect(otherKind.body.errors).toEqual([{ field: 'password', message: 'Enter the password' }]);
    expect(await storedKey()).toBe(sealed);
    expect((await local.admin.get(CONNECTION)).body.settings).toMatchObject({ kind: 'ethos', baseUrl: sis.sim.url });
  });
});
