// The `coursebridge` command as a script would run it: exit codes and plain messages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { lockDataDir } from '../../src/db/data-dir.ts';
import { expectExplained } from './helpers.ts';

const bin = resolve(import.meta.dirname, '../../bin/coursebridge.js');
const dataDir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The shell's user, whom the CLI's writes are audited as. */
const SHELL_USER = 'registrar-ops';

function run(args: string[], { input = '', env: extra = {}, node = process.execPath }: { input?: string; env?: NodeJS.ProcessEnv; node?: string } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, COURSEBRIDGE_DATA_DIR: dataDir, LOG_LEVEL: 'silent', USER: SHELL_USER, ...extra };
  delete env.DATABASE_URL; // the embedded database is the one with the single-process rule
  const result = spawnSync(node, [bin, ...args], { input, env, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('coursebridge CLI', () => {
  it('says it created a new database with its migrations applied, then that it is up to date', () => {
    const created = run(['migrate']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^Created the database in ${dataDir} with its \\d+ migrations applied\\.\\n$`));
    expect(run(['migrate']).stdout).toBe('The database is up to date.\n');
  });

  it('adds a user with the password from standard input and refuses a duplicate plainly', () => {
    const added = run(['user', 'add', '--email', 'dean@example.edu', '--role', 'Registrar', '--products', 'scheduling,admin'], { input: 'a long enough password\n' });
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toMatch(/Added dean@example.edu \(Registrar; scheduling, admin\)/);
    const again = run(['user', 'add', '--email', 'dean@example.edu', '--role', 'Viewer'], { input: 'a long enough password\n' });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/A user with the email dean@example.edu exists/);
    expect(again.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('refuses Admin as the only product and a short password', () => {
    const adminOnly = run(['user', 'add', '--email', 'a@example.edu', '--role', 'Registrar', '--products', 'admin'], { input: 'a long enough password' });
    expect(adminOnly.code).toBe(1);
    expect(adminOnly.stderr).toMatch(/only product/);
    const short = run(['user', 'add', '--email', 'b@example.edu', '--role', 'Viewer'], { input: 'short' });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password: Use at least 12 characters/);
  });

  it('explains in one line an unknown email or a short password for reset-password', () => {
    expectExplained(run(['user', 'reset-password', '--email', 'nobody@example.edu'], { input: 'a long enough password' }), 'No user with the email nobody@example.edu.');
    expectExplained(run(['user', 'reset-password', '--email', 'dean@example.edu'], { input: 'short' }), 'The password needs at least 12 characters.');
  });

  it('creates an API token and prints it once', () => {
    const created = run(['token', 'create', '--name', 'SIS nightly', '--role', 'Viewer']);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^cbt_[A-Za-z0-9_-]{43}$/);
  });

  it('audits users and tokens it writes as the CLI with the shell\'s user, as merge and push are', async () => {
    expect(run(['user', 'add', '--email', 'clerk@example.edu', '--role', 'Viewer'], { input: 'a long enough password' }).code).toBe(0);
    expect(run(['user', 'reset-password', '--email', 'clerk@example.edu'], { input: 'another long password' }).code).toBe(0);
    expect(run(['token', 'create', '--name', 'Audited', '--role', 'Viewer']).code).toBe(0);
    const database = await openDatabase({ dataDir });
    try {
      const entries = await database.db.selectFrom('audit_log').select(['action', 'entity_type', 'actor_name']).where('entity_type', 'in', ['user', 'api_token']).orderBy('id').execute();
      expect(entries.slice(-3)).toEqual([
        { action: 'create', entity_type: 'user', actor_name: `cli (${SHELL_USER})` },
        { action: 'update', entity_type: 'user', actor_name: `cli (${SHELL_USER})` },
        { action: 'create', entity_type: 'api_token', actor_name: `cli (${SHELL_USER})` },
      ]);
    } finally {
      await database.close();
    }
  });

  it('names the COURSEBRIDGE_SIS_* variable that is missing, not the connector\'s setting', () => {
    const ethos = run(['merge', '--type', 'terms'], { env: { COURSEBRIDGE_SIS_KIND: 'ethos', COURSEBRIDGE_SIS_API_KEY: 'k' } });
    expect(ethos.code).toBe(1);
    expect(ethos.stderr).toBe('coursebridge: Invalid COURSEBRIDGE_SIS_* settings:\n  COURSEBRIDGE_SIS_URL: needed with COURSEBRIDGE_SIS_KIND=ethos\n');
    const peoplesoft = run(['serve'], { env: { COURSEBRIDGE_SIS_KIND: 'peoplesoft', COURSEBRIDGE_SIS_URL: 'http://127.0.0.1:9/ps' } });
    expect(peoplesoft.code).toBe(1);
    expect(peoplesoft.stderr).toBe(
      'coursebridge: Invalid COURSEBRIDGE_SIS_* settings:\n  COURSEBRIDGE_SIS_USERNAME: needed with COURSEBRIDGE_SIS_KIND=peoplesoft\n  COURSEBRIDGE_SIS_PASSWORD: needed with COURSEBRIDGE_SIS_KIND=peoplesoft\n',
    );
  });

  it('says in one line that the port is in use when another process listens on it', async () => {
    const other = createServer();
    await new Promise<void>((listening) => other.listen(0, '127.0.0.1', listening));
    const { port } = other.address() as { port: number };
    try {
      const served = run(['serve'], { env: { PORT: String(port), HOST: '127.0.0.1', COURSEBRIDGE_DEMO_SIS: 'false' } });
      expectExplained(served, `Port ${port} on 127.0.0.1 is in use: stop that process or set PORT.`);
    } finally {
      other.close();
    }
    expect(run(['migrate']).code).toBe(0); // it let go of the data directory
  });

  it('says in one line that HOST is not an address of this machine', () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it.
    const served = run(['serve'], { env: { PORT: '0', HOST: '192.0.2.1', COURSEBRIDGE_DEMO_SIS: 'false' } });
    expectExplained(served, 'HOST 192.0.2.1 is not an address of this machine: set HOST to one of its addresses (0.0.0.0 for all).');
  });

  it('says plainly that the data directory is in use while another process holds it', () => {
    const release = lockDataDir(dataDir);
    try {
      const blocked = run(['migrate']);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
    } finally {
      release();
    }
  });

  const oldNode = ['/usr/bin/node', '/bin/node'].find((path) => {
    if (!existsSync(path)) return false;
    const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    const [major, minor] = version.split('.').map(Number);
    return major < 22 || (major === 22 && minor < 18);
  });
  it.skipIf(!oldNode)('tells a user on an older Node which version is needed, in one sentence', () => {
    const result = run(['--help'], { node: oldNode });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Coursebridge needs Node\.js 22\.18 or newer \(24 LTS recommended\); this is Node\.js [\d.]+\.$/);
  });
});
