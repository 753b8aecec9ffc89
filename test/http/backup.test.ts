// GET /api/v1/admin/backup: on the embedded database a download that `coursebridge restore` brings
// back as a hub with the same schedule, sent from a copy of the files that it leaves nowhere; on
// PostgreSQL a refusal naming pg_dump.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRole } from '../../src/auth/roles.ts';
import { openDatabase } from '../../src/db/database.ts';
import { PERMISSIONS, SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { buildApp } from '../../src/http/app.ts';
import { cliEnv, runCli } from '../cli/helpers.ts';
import { Client, PASSWORD, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

const onPostgres = Boolean(inject('postgresTemplate'));
let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
const scratch = mkdtempSync(join(tmpdir(), 'cb-backup-'));
beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
});
afterAll(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The download as bytes (the test client reads text). */
async function download(client: Client) {
  const res = await fetch(`${client.baseUrl}/api/v1/admin/backup`, { headers: { cookie: client.cookie! } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The copies of the database files a backup is being sent from, beside them. */
const copies = () => readdirSync(dirname(hub.database.pglite!.dataDir!)).filter((name) => name.startsWith('pg.backup-in-progress-'));

async function section(sectionNumber: string, capacity: number) {
  const created = await hub.admin.post('/api/v1/sections', {
    termId: s.term.id,
    courseId: s.calc.id,
    sectionNumber,
    component: 'LEC',
    capacity: 30,
    meetings: [{ days: 'MWF', startTime: '09:00', endTime: '09:50', roomId: s.room1.id }],
    instructors: [{ instructorId: s.ada.id }],
  });
  const edited = await hub.admin.patch(`/api/v1/sections/${created.body.id}`, { version: created.body.version, capacity });
  expect(edited.status).toBe(200);
  return edited.body;
}

describe.skipIf(onPostgres)('a backup of the embedded database', () => {
  it('taken right after edits, restored by `coursebridge restore` into a new data directory, serves the same sections', async () => {
    const a1 = await section('A1', 44);
    const b1 = await section('B1', 51);

    const backup = await download(hub.admin);
    expect(backup.status).toBe(200);
    expect(backup.headers.get('content-type')).toBe('application/gzip');
    const file = /^attachment; filename="(coursebridge-\d{8}T\d{6}Z\.tar\.gz)"$/.exec(backup.headers.get('content-disposition') ?? '')?.[1];
    expect(file).toBeDefined();
    expect(copies()).toEqual([]); // removed before the last byte was sent

    const path = join(scratch, file!);
    writeFileSync(path, backup.bytes);
    const dataDir = join(scratch, 'restored');
    const restored = await runCli(['restore', path], cliEnv(dataDir));
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('Restored 1 terms, 2 sections and 1 users');
    expect(restored.stdout).toContain('Put the secrets.key kept with this backup in');

    const database = await openDatabase({ dataDir });
    const app = await buildApp({ database, webRoot: null });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const registrar = new Client(url);
      expect((await registrar.signIn('registrar@example.edu', PASSWORD)).status).toBe(200);
      const list = await registrar.get(`/api/v1/sections?termId=${s.term.id}`);
      expect(list.body.items.map((x: { id: string; sectionNumber: string; capacity: number; version: number }) => [x.id, x.sectionNumber, x.capacity, x.version])).toEqual([
        [a1.id, 'A1', 44, a1.version],
        [b1.id, 'B1', 51, b1.version],
      ]);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('is in the audit log: who took it and the file', async () => {
    const audit = await hub.admin.get('/api/v1/audit?action=backup');
    expect(audit.body.items[0]).toMatchObject({
      action: 'backup',
      entityType: 'database',
      actor: { type: 'user', id: hub.adminId },
      context: { file: expect.stringMatching(/^coursebridge-.*\.tar\.gz$/) },
    });
  });

  it('is read from its copy as the client reads it, and a client that goes away part-way leaves no copy behind', async () => {
    // Incompressible, and more than the sockets between hub and client hold: the hub cannot have
    // read all of the copy while the client reads no further than the first bytes.
    const large = join(hub.database.pglite!.dataDir!, 'large-file-for-this-test');
    writeFileSync(large, randomBytes(48 * 1024 * 1024));
    try {
      const response = await new Promise<IncomingMessage>((done, failed) =>
        get(`${hub.url}/api/v1/admin/backup`, { headers: { cookie: hub.admin.cookie! } }, done).on('error', failed),
      );
      expect(response.statusCode).toBe(200);
      await new Promise((done) => response.once('data', done));
      response.pause();
      expect(copies()).toHaveLength(1);
      response.destroy();
      await expect.poll(copies, { timeout: 30_000 }).toEqual([]);
    } finally {
      rmSync(large);
    }
  });
});

describe('who may take a backup', () => {
  it('not a registrar whose role lacks users.manage, nor one without the Admin product', async () => {
    await createRole(hub.db, SYSTEM_ACTOR, { name: 'Registrar without people', description: '', permissions: PERMISSIONS.filter((p) => p !== 'users.manage'), departmentScoped: false });
    const noPeople = await hub.user({ email: 'nopeople@example.edu', role: 'Registrar without people', products: ['scheduling', 'admin'] });
    const refused = await download(noPeople.client);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.bytes.toString())).toMatchObject({ permission: 'users.manage' });

    const noAdmin = await hub.user({ email: 'noadmin@example.edu', role: 'Registrar', products: ['scheduling'] });
    expect((await download(noAdmin.client)).status).toBe(403);
  });
});

describe.runIf(onPostgres)('a backup on PostgreSQL', () => {
  it('is refused with 409, naming pg_dump, not a 500', async () => {
    const refused = await download(hub.admin);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(refused.bytes.toString()).detail).toContain('pg_dump');
  });
});
