// Subscribing to integration notifications and unsubscribing, as the audit log shows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
const PATH = '/api/v1/me/integration-notifications';
const SECRET = 'a-webhook-key-of-some-length';
const HOOK = 'https://hooks.example.edu/coursebridge';

beforeAll(async () => {
  hub = await startHub({ sis: 'none' });
});
afterAll(async () => {
  await hub?.close();
});

const audit = async () => {
  const res = await hub.admin.get(`/api/v1/audit?entityType=notification_subscription&entityId=${hub.adminId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { action: string; actor: { id: string }; changes: Record<string, { before: unknown; after: unknown }> }[];
};

describe('notification subscriptions in the audit log', () => {
  it('records what each subscribe changed, from what it was, and never the webhook key', async () => {
    expect((await hub.admin.put(PATH, { mode: 'errors', email: 'office@example.edu', webhookUrl: HOOK, webhookSecret: SECRET })).status).toBe(204);
    expect((await hub.admin.put(PATH, { mode: 'every_run', email: 'office@example.edu', webhookUrl: HOOK })).status).toBe(204);
    expect((await hub.admin.put(PATH, { mode: 'every_run', email: 'office@example.edu', webhookUrl: HOOK, webhookSecret: `${SECRET}-rotated` })).status).toBe(204);
    const [rotated, changedMode, first] = await audit();
    expect(first).toMatchObject({
      action: 'subscribe',
      actor: { id: hub.adminId },
      changes: {
        mode: { before: null, after: 'errors' },
        email: { before: null, after: 'office@example.edu' },
        webhookUrl: { before: null, after: HOOK },
        webhookSecret: { before: null, after: '********' },
      },
    });
    expect(changedMode.changes).toEqual({ mode: { before: 'errors', after: 'every_run' } });
    expect(rotated.changes).toEqual({ webhookSecret: { before: '********', after: '******** (new key)' } });
    expect(JSON.stringify(await audit())).not.toContain(SECRET);
  });

  it('records no new key when the saved key is typed again, and keeps it as stored', async () => {
    const stored = async () => (await hub.db.selectFrom('notification_subscriptions').select('webhook_secret').executeTakeFirstOrThrow()).webhook_secret;
    const before = await stored();
    expect((await hub.admin.put(PATH, { mode: 'every_run', email: 'office@example.edu', webhookUrl: HOOK, webhookSecret: `${SECRET}-rotated` })).status).toBe(204);
    const [resaved] = await audit();
    expect(resaved).toMatchObject({ action: 'subscribe', changes: {} });
    expect(await stored()).toBe(before);
  });

  it('records an unsubscribe with what was given up, and nothing when there was nothing to give up', async () => {
    expect((await hub.admin.del(PATH)).status).toBe(204);
    const [unsubscribed] = await audit();
    expect(unsubscribed).toMatchObject({
      action: 'unsubscribe',
      actor: { id: hub.adminId },
      changes: {
        mode: { before: 'every_run', after: null },
        email: { before: 'office@example.edu', after: null },
        webhookUrl: { before: HOOK, after: null },
        webhookSecret: { before: '********', after: null },
      },
    });
    const entries = (await audit()).length;
    expect((await hub.admin.del(PATH)).status).toBe(204);
    expect(await audit()).toHaveLength(entries);
    expect((await hub.admin.get(PATH)).body).toBeNull();
  });
});
