// GET /metrics on a real server: open by default (see push tests), and with a metrics token
// configured, only to scrapers presenting it (bearer token or Basic-auth password).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';

const TOKEN = 'a-long-metrics-scrape-token';
let hub: Hub;

beforeAll(async () => {
  hub = await startHub({ sis: 'none', metricsToken: TOKEN });
});
afterAll(async () => {
  await hub?.close();
});

describe('GET /metrics with a metrics token', () => {
  it('refuses a scrape without the token, or with another, as problem+json', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-metrics-token-at-all' }] as Record<string, string>[]) {
      const res = await fetch(`${hub.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await res.json()).detail).toMatch(/metrics token/);
    }
  });

  it('answers Prometheus text to a bearer token or a Basic-auth password', async () => {
    const basic = `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`;
    for (const authorization of [`Bearer ${TOKEN}`, basic]) {
      const res = await fetch(`${hub.url}/metrics`, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('coursebridge_sections_by_integration_status');
    }
  });
});
