// Where notification webhooks may go: https to a public address, checked when a subscriber saves the
// URL and again at each POST, with the host resolved then. Loopback (and plain http to it) is only
// for development, with COURSEBRIDGE_WEBHOOK_ALLOW_LOOPBACK; this hub runs without it.
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier } from '../../src/sync/notify.ts';
import { startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let receiver: Server;
let port: number;
const received: string[] = [];
const PATH = '/api/v1/me/integration-notifications';

beforeAll(async () => {
  hub = await startHub({ sis: 'none' });
  receiver = createServer((req, res) => {
    received.push(req.url!);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await hub?.close();
});

describe('notification webhook URLs', () => {
  it('refuses, naming webhookUrl, one that is not https or reaches this machine or a private network', async () => {
    const refused = {
      'http://hooks.example.edu/coursebridge': /https/,
      [`http://127.0.0.1:${port}/hook`]: /https/,
      'ftp://hooks.example.edu/coursebridge': /./,
      'https://127.0.0.1/hook': /127\.0\.0\.1 is a loopback address/,
      'https://[::1]/hook': /loopback/,
      'https://localhost/hook': /^localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
      'https://169.254.169.254/latest/meta-data/': /private, link-local or reserved/,
      'https://10.0.0.8/hook': /private/,
      'https://192.168.1.20/hook': /private/,
      'https://[fd12::1]/hook': /private/,
      'https://[::ffff:10.0.0.8]/hook': /private/,
      'https://0.0.0.0/hook': /private/,
    };
    for (const [webhookUrl, why] of Object.entries(refused)) {
      const res = await hub.admin.put(PATH, { mode: 'errors', webhookUrl });
      expect(res.status, webhookUrl).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.errors, webhookUrl).toEqual([{ field: 'webhookUrl', message: expect.stringMatching(why) }]);
    }
    expect((await hub.admin.get(PATH)).body).toBeNull();
    // https to a public address, or to a name that does not resolve here (it is checked again at each POST).
    for (const webhookUrl of ['https://8.8.8.8/hook', 'https://hooks.example.edu/coursebridge'])
      expect((await hub.admin.put(PATH, { mode: 'errors', webhookUrl })).status, webhookUrl).toBe(204);
  });

  it("takes, over https, the institution's own networks it is told of, and no other private address", async () => {
    const campus = await startHub({ sis: 'none', runtime: { webhooks: { allowLoopback: false, networks: ['10.20.0.0/16', 'fd00:20::/32'] } } });
    try {
      for (const webhookUrl of ['https://10.20.4.2/hook', 'https://[fd00:20::7]/hook'])
        expect((await campus.admin.put(PATH, { mode: 'errors', webhookUrl })).status, webhookUrl).toBe(204);
      for (const webhookUrl of ['http://10.20.4.2/hook', 'https://10.21.0.1/hook', 'https://169.254.169.254/latest/meta-data/', 'https://127.0.0.1/hook']) {
        const res = await campus.admin.put(PATH, { mode: 'errors', webhookUrl });
        expect(res.status, webhookUrl).toBe(400);
        expect(res.body.errors[0].field).toBe('webhookUrl');
      }
    } finally {
      await campus.close();
    }
  });

  it('does not POST to a loopback address saved before these checks, resolving the host at delivery, and logs why', async () => {
    // Subscriptions saved by an earlier version, or a name that resolved elsewhere when it was saved.
    const urls = [`http://127.0.0.1:${port}/plain`, `https://127.0.0.1:${port}/literal`, `https://localhost:${port}/resolved`];
    for (const [i, url] of urls.entries()) {
      const user = await hub.user({ email: `old${i}@example.edu`, role: 'Registrar', products: ['scheduling', 'admin'] });
      await hub.db.insertInto('notification_subscriptions').values({ user_id: user.id, mode: 'every_run', email: null, webhook_url: url, webhook_secret: null }).execute();
    }
    const logs: { msg: string; reason?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const notifier = new Notifier(hub.db, null, () => new Date(), logger);
    const sent = await notifier.runFinished({ runId: 'r', trigger: 'nightly', status: 'succeeded', errors: 0, posted: 0, pushFailures: 0, startedAt: null, finishedAt: null, items: [] });
    expect(sent.webhooks).toBe(0);
    expect(received).toEqual([]);
    const reasons = logs.map((l) => l.reason);
    expect(reasons).toContain('Use an https:// URL');
    expect(reasons).toContain('127.0.0.1 is a loopback address (this machine)');
    expect(reasons).toContainEqual(expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/));
  });
});
