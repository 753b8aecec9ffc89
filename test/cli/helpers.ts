// Running `coursebridge` as a script would, and looking at its embedded database between runs
// through a real HTTP server (the CLI and the server never hold the data directory together).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { roleByName } from '../../src/auth/roles.ts';
import { createUser } from '../../src/auth/users.ts';
import { openDatabase } from '../../src/db/database.ts';
import { SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { buildApp } from '../../src/http/app.ts';
import { startRuntime } from '../../src/runtime.ts';
import { Client, PASSWORD } from '../helpers/hub.ts';
import { API_KEY, type Pair } from '../sis/harness.ts';
import { ALL_TYPES } from '../sync/helpers.ts';

const bin = resolve(import.meta.dirname, '../../bin/coursebridge.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A mistake explained as the README promises: exit 1 and one line that says what is wrong, no stack trace. */
export function expectExplained(result: CliResult, explanation: string) {
  expect(result.code, result.stdout + result.stderr).toBe(1);
  expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`coursebridge: ${explanation}`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** The environment of a CLI run on the embedded database in `dataDir`, talking to `sis` when given. */
export function cliEnv(dataDir: string, sis?: Pair): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, COURSEBRIDGE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  if (sis) Object.assign(env, { COURSEBRIDGE_SIS_KIND: 'ethos', COURSEBRIDGE_SIS_URL: sis.sim.url, COURSEBRIDGE_SIS_API_KEY: API_KEY });
  delete env.DATABASE_URL; // the embedded database is the one with the single-process rule
  return env;
}

/** Runs the command to its end; spawnSync would block this process, and with it a simulator the child talks to. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** `coursebridge serve` on a free port; answers its address once it listens, and a way to stop it (SIGTERM) that answers its exit code. */
export function startServe(env: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve'], { env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const stop = () => {
    child.kill('SIGTERM');
    return exited;
  };
  let output = '';
  return new Promise((listening, failed) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const address = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (address) listening({ url: address[1], stop });
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(() => failed(new Error(`coursebridge serve exited before listening:\n${output}`)));
  });
}

/**
 * Serves the data directory's database over HTTP, without job workers (nothing is posted), as
 * an admin signed in; `close` lets go of the directory for the next CLI run.
 */
async function serveDataDir(dataDir: string, sis: Pair) {
  const database = await openDatabase({ dataDir });
  const runtime = await startRuntime({ database, sis: { settings: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY }, source: 'environment' }, workers: false });
  const app = await buildApp({ database, runtime });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const email = 'registrar@example.edu';
  if (!(await database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())) {
    const role = await roleByName(database.db, 'Registrar');
    await createUser(database.db, SYSTEM_ACTOR, { email, name: email, password: PASSWORD, roleId: role.id, products: ['scheduling', 'admin'], departmentIds: [] });
  }
  const admin = new Client(url);
  const signedIn = await admin.signIn(email, PASSWORD);
  if (signedIn.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(signedIn.body)}`);
  return {
    admin,
    db: database.db,
    async close() {
      await app.close();
      await runtime.stop();
      await database.close();
    },
  };
}

export type ServedHub = Awaited<ReturnType<typeof serveDataDir>>;

/** Works on the data directory's hub through its API between CLI runs. */
export async function withHub<T>(dataDir: string, sis: Pair, work: (hub: ServedHub) => Promise<T>): Promise<T> {
  const hub = await serveDataDir(dataDir, sis);
  try {
    return await work(hub);
  } finally {
    await hub.close();
  }
}

/** Imports everything of the SIS's first term with `coursebridge merge`; answers the term's code. */
export async function importFirstTerm(dataDir: string, sis: Pair): Promise<string> {
  const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  const imported = await runCli(['merge', '--type', ALL_TYPES.join(','), '--term', term], cliEnv(dataDir, sis));
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stdout}${imported.stderr}`);
  return term;
}

export interface EditedSection {
  id: string;
  sisKey: string;
  label: string;
  capacity: number;
}

/** Raises the capacity of the term's `index`th section in the hub by 7 (a hub-owned field); answers it as saved. */
export async function raiseCapacity(hub: ServedHub, term: string, index: number): Promise<EditedSection> {
  const t = await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow();
  const section = (await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=${index + 1}`)).body.items[index];
  const saved = await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: section.capacity + 7 });
  if (saved.status !== 200) throw new Error(`edit refused: ${JSON.stringify(saved.body)}`);
  return { id: section.id, sisKey: section.sisKey, label: `${section.subject} ${section.courseNumber} ${section.sectionNumber}`, capacity: saved.body.capacity };
}
