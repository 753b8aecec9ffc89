// A mail server that accepts the connection and then says nothing: each email gives up after the
// configured time, is counted as not sent, and the run's notifications finish (nodemailer's own
// greeting timeout alone is 30 s per subscriber, past this test's limit).
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Notifier } from '../../src/sync/notify.ts';
import { startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let silent: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  hub = await startHub({ sis: 'none' });
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  for (const email of ['one@example.edu', 'two@example.edu']) {
    const user = await hub.user({ email, role: 'Registrar', products: ['scheduling', 'admin'] });
    expect((await user.client.put('/api/v1/me/integration-notifications', { mode: 'every_run', email, webhookUrl: null })).status).toBe(204);
  }
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent?.close(() => resolve()));
  await hub?.close();
});

it('gives up on a silent mail server after the configured time, for each subscriber, without failing the run', async () => {
  const port = (silent.address() as { port: number }).port;
  const notifier = new Notifier(hub.db, { url: `smtp://127.0.0.1:${port}`, from: 'cb@example.edu', timeoutMs: 200 }, () => new Date());
  const sent = await notifier.runFinished({ runId: 'r', trigger: 'nightly', status: 'succeeded', errors: 0, posted: 0, pushFailures: 0, startedAt: null, finishedAt: null, items: [] });
  expect(sent).toEqual({ emails: 0, webhooks: 0, subscribers: 2 });
}, 20_000);
