// Reliability: the hub process (HTTP + workers) is killed with SIGKILL at random points during
// bursts of edits, a few times, and restarted on the same database (a PGlite data directory, or a
// PostgreSQL database with DATABASE_URL). Once the outbox drains, every edited section in the SIS
// equals the hub, no section exists twice, and no acknowledged edit is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '../helpers/hub.ts';
import { API_KEY, projectRoot, startPair, type Pair } from '../sis/harness.ts';
import { ALL_TYPES, merge } from './helpers.ts';
import { setSync } from './push-helpers.ts';

const EMAIL = 'admin@example.edu';
const PASSWORD = 'correct horse battery staple';
let sis: Pair;
let term: string;
let child: ChildProcess | null = null;
let output = '';
let port: number;
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void> = async () => {};

let seed = 23;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const p = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return p;
}

async function startChild(): Promise<Client> {
  child = spawn(process.execPath, [join(projectRoot, 'bin/coursebridge.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`hub exited ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok).catch(() => false);
    if (ok) {
      const client = new Client(url);
      const res = await client.signIn(EMAIL, PASSWORD);
      if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
      return client;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`hub did not start:\n${output}`);
}

async function kill() {
  const c = child!;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGKILL');
  await exited;
  child = null;
}

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:40' });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  port = await freePort();
  env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    COURSEBRIDGE_ADMIN_EMAIL: EMAIL,
    COURSEBRIDGE_ADMIN_PASSWORD: PASSWORD,
    COURSEBRIDGE_SIS_KIND: 'ethos',
    COURSEBRIDGE_SIS_URL: sis.sim.url,
    COURSEBRIDGE_SIS_API_KEY: API_KEY,
    COURSEBRIDGE_PUSH_LEASE_MS: '3000',
    COURSEBRIDGE_PUSH_SWEEP_MS: '500',
    COURSEBRIDGE_DEMO_SIS: 'false',
  };
  const postgresTemplate = inject('postgresTemplate');
  if (postgresTemplate) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const name = `cb_kill_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await admin.query(`create database ${name} template ${postgresTemplate}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    cleanup = async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'cb-kill-'));
    cpSync(inject('pgliteTemplate'), dir, { recursive: true });
    delete env.DATABASE_URL;
    env.COURSEBRIDGE_DATA_DIR = dir;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

afterAll(async () => {
  if (child) await kill();
  await sis?.sim.close();
  await cleanup();
});

describe('workers killed with SIGKILL during bursts of edits', () => {
  it('loses no edit and posts nothing twice', async () => {
    let client = await startChild();
    const run = await merge(client, { types: ALL_TYPES, terms: [term] });
    expect(run.status).toBe('succeeded');
    await setSync(client, term);
    const termId = (await client.get('/api/v1/terms')).body.items.find((t: { code: string }) => t.code === term).id;
    const all = (await client.get(`/api/v1/sections?termId=${termId}&limit=200`)).body.items as { id: string; courseId: string; component: string; instructionMode: string; credits: number | null }[];
    const targets = all.slice(0, 12);
    const before = (await sis.admin<unknown[]>('GET', `/sections?term=${term}`)).length;
    // Per section: the value of the last acknowledged edit, and every value attempted after it.
    const acked = new Map<string, number>();
    const attemptedSince = new Map<string, number[]>();
    let counter = 1000;

    const KILLS = 3;
    for (let burst = 0; burst <= KILLS; burst++) {
      const killAfter = burst < KILLS ? 3 + Math.floor(random() * 15) : Infinity;
      let responses = 0;
      let killing: Promise<void> | null = null;
      const c = client;
      const edits = Array.from({ length: 24 }, (_, i) => targets[(i * 5 + burst) % targets.length]);
      const worker = async (queue: typeof edits) => {
        for (const s of queue) {
          if (killing) return;
          const capacity = counter++;
          attemptedSince.set(s.id, [...(attemptedSince.get(s.id) ?? []), capacity]);
          try {
            const current = await c.get(`/api/v1/sections/${s.id}`);
            // With the title, a field the SIS owns: one save's two fields must arrive together.
            const res = await c.patch(`/api/v1/sections/${s.id}`, { version: current.body.version, capacity, title: `Kill ${capacity}` });
            if (res.status === 200) {
              acked.set(s.id, capacity);
              attemptedSince.set(s.id, []);
            }
          } catch {
            // The process died under this request: it may or may not have committed.
          }
          if (++responses === killAfter && !killing) killing = kill();
        }
      };
      const lanes = [0, 1, 2, 3].map((lane) => edits.filter((_, i) => i % 4 === lane));
      // One create per burst: a create cut off mid-post must not become two sections in the SIS.
      const like = all[20 + burst];
      await Promise.all([
        ...lanes.map(worker),
        c
          .post('/api/v1/sections', { termId, courseId: like.courseId, sectionNumber: `K${burst}`, component: like.component, capacity: 9, instructionMode: like.instructionMode, credits: like.credits })
          .catch(() => null),
      ]);
      if (burst < KILLS) {
        if (!killing) killing = kill();
        await killing;
        client = await startChild();
      }
    }

    // Drain: nothing pending, bounded.
    const deadline = Date.now() + 150_000;
    for (;;) {
      const pending = await client.get(`/api/v1/sections?termId=${termId}&integrationStatus=pending&limit=5`);
      const never = await client.get(`/api/v1/sections?termId=${termId}&integrationStatus=not_synced&limit=5`);
      if (!pending.body.items.length && !never.body.items.length) break;
      if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(pending.body.items.map((s: { integrationStatus: unknown }) => s.integrationStatus))}\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const errors = await client.get(`/api/v1/sections?termId=${termId}&integrationStatus=error`);
    expect(errors.body.items, JSON.stringify(errors.body.items.map((s: { integrationStatus: unknown }) => s.integrationStatus))).toEqual([]);

    for (const s of targets) {
      const hub = (await client.get(`/api/v1/sections/${s.id}`)).body;
      const ack = acked.get(s.id);
      if (ack !== undefined) {
        expect([ack, ...(attemptedSince.get(s.id) ?? [])], `${s.id}: an acknowledged edit was lost`).toContain(hub.capacity);
        expect(hub.title, `${s.id}: a save's title was lost`).toBe(`Kill ${hub.capacity}`);
      }
      const inSis = await sis.connector.getSection(hub.sisKey);
      expect({ capacity: inSis!.capacity, title: inSis!.title }, `${s.id}: the SIS differs from the hub`).toEqual({ capacity: hub.capacity, title: hub.title });
    }
    const hubSections = (await client.get(`/api/v1/sections?termId=${termId}&limit=200`)).body.items as { sectionNumber: string; sisKey: string | null }[];
    const createdInHub = hubSections.filter((s) => /^K\d$/.test(s.sectionNumber));
    for (const s of createdInHub) expect(s.sisKey).not.toBeNull();
    const after = await sis.admin<{ number: string; courseId: string }[]>('GET', `/sections?term=${term}`);
    const keys = after.map((s) => `${s.courseId}|${s.number}`);
    expect(new Set(keys).size, 'a section exists twice in the SIS').toBe(keys.length);
    expect(after.length).toBe(before + createdInHub.length);
  }, 400_000);
});
