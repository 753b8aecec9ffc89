// GET /api/health is what a load balancer and an operator read: it says the database cannot be
// reached when it cannot, instead of "every migration pending", and the API answers a retryable
// 503 meanwhile. On PostgreSQL the hub's own throwaway database is closed to connections and its
// connections ended (the shared `test` database is never touched), then opened again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrations } from '../../src/db/migrate.ts';
import { buildApp } from '../../src/http/app.ts';
import { seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

const onPostgres = Boolean(inject('postgresTemplate'));
const ALL = Object.keys(migrations).sort();

describe('GET /api/health', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub?.close());

  it('is ok on a migrated database', async () => {
    const res = await hub.admin.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: hub.database.kind, migrations: { applied: ALL, pending: [] } });
  });

  it('documents its 503: its own shape for a probe, the API problem for a signed-in caller', async () => {
    const doc = (await hub.admin.get('/api/openapi.json')).body;
    expect(doc.paths['/api/health'].get.responses['503'].content).toEqual({
      'application/json': { schema: expect.objectContaining({ properties: expect.objectContaining({ status: { type: 'string', enum: ['database_unreachable'] } }) }) },
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
  });

  it('lists every migration as pending on a database never migrated', async () => {
    const admin = onPostgres ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : null;
    const name = `cb_health_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    let database: Database;
    if (admin) {
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      database = await openDatabase({ databaseUrl: url.toString() });
    } else database = await openDatabase({ memory: true });
    const app = await buildApp({ database, webRoot: null });
    try {
      const res = await fetch(`${await app.listen({ port: 0, host: '127.0.0.1' })}/api/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'migrations_pending', database: database.kind, migrations: { applied: [], pending: ALL } });
    } finally {
      await app.close();
      await database.close();
      if (admin) {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    }
  });
});

describe.skipIf(!onPostgres)('the database out of reach (PostgreSQL)', () => {
  let hub: Hub;
  let admin: pg.Client;
  let name: string;
  beforeAll(async () => {
    hub = await startHub();
    name = new URL(hub.database.databaseUrl!).pathname.slice(1);
    expect(name).not.toBe(new URL(process.env.DATABASE_URL!).pathname.slice(1));
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.query(`alter database ${name} allow_connections true`);
    await admin?.end();
    await hub?.close();
  });

  it('answers 503 database_unreachable and a retryable 503 to writes, then recovers without a restart', async () => {
    const s = await seedSchedule(hub.admin);
    const section = (await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'A', component: 'LEC', capacity: 30 })).body;

    await admin.query(`alter database ${name} allow_connections false`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    // Bounded wait until the hub's backends are gone (terminating one only signals it).
    for (let i = 0; (await admin.query('select 1 from pg_stat_activity where datname = $1', [name])).rowCount; i++)
      if (i > 200) throw new Error(`the backends of ${name} did not end`);

    // A load balancer's probe, without a session.
    const health = await fetch(`${hub.url}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'database_unreachable', database: 'postgres' });
    // A signed-in browser's: its session cannot be looked up, which answers the API's problem.
    const signedIn = await hub.admin.get('/api/health');
    expect(signedIn.status).toBe(503);
    expect(signedIn.body).toMatchObject({ status: 503, title: 'Service unavailable' });

    const write = await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 40 });
    expect(write.status).toBe(503);
    expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(write.headers.get('retry-after')).toBe('5');
    expect(write.body).toMatchObject({ status: 503, title: 'Service unavailable', detail: expect.stringMatching(/database cannot be reached/) });

    await admin.query(`alter database ${name} allow_connections true`);

    const back = await hub.admin.get('/api/health');
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'ok', migrations: { pending: [] } });
    const retried = await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 40 });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ capacity: 40, version: section.version + 1 });
  });
});
