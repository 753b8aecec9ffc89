// A real Coursebridge HTTP server on a random port over a fresh database, and HTTP clients that
// sign in as people or send API tokens — what a browser or an integration would do.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { roleByName } from '../../src/auth/roles.ts';
import { newSecretsKey, SecretBox } from '../../src/auth/secret-box.ts';
import type { SessionPolicy } from '../../src/auth/sessions.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { createUser } from '../../src/auth/users.ts';
import type { Database } from '../../src/db/database.ts';
import type { DB } from '../../src/db/schema.ts';
import { SYSTEM_ACTOR, type Product } from '../../src/domain/permissions.ts';
import { buildApp } from '../../src/http/app.ts';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.ts';
import type { ConnectorSettingsInput } from '../../src/sis/settings.ts';
import { freshDatabase } from './db.ts';

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Client {
  readonly baseUrl: string;
  cookie: string | undefined;
  csrfToken: string | undefined;
  bearer: string | undefined;

  constructor(baseUrl: string, auth: { bearer?: string } = {}) {
    this.baseUrl = baseUrl;
    this.bearer = auth.bearer;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET') h['x-csrf-token'] ??= this.csrfToken;
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, body: type.includes('json') && text ? JSON.parse(text) : text, headers: res.headers };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  patch = <T = any>(path: string, body: unknown) => this.request<T>('PATCH', path, body);
  put = <T = any>(path: string, body: unknown) => this.request<T>('PUT', path, body);
  del = <T = any>(path: string) => this.request<T>('DELETE', path);

  async signIn(email: string, password: string): Promise<Response> {
    const res = await this.post('/api/v1/session', { email, password });
    if (res.status === 200) this.csrfToken = res.body.csrfToken;
    return res;
  }
}

export const PASSWORD = 'correct horse battery staple';

export interface Hub {
  url: string;
  database: Database;
  db: Kysely<DB>;
  /** A Registrar holding Scheduling and Admin, signed in. */
  admin: Client;
  adminId: string;
  user(options: { email: string; role: string; products?: Product[]; departmentIds?: string[] }): Promise<{ client: Client; id: string }>;
  token(role: string, kind?: 'api' | 'record_system'): Promise<Client>;
  runtime: Runtime | undefined;
  close(): Promise<void>;
}

export interface HubOptions {
  loginRateLimit?: number;
  clock?: () => Date;
  /** The session idle limit and the sessions' clock (default 60 minutes, the wall clock), for the server and the runtime. */
  sessions?: Partial<SessionPolicy>;
  /** Start the job queue and workers (the integration console), talking to this SIS. */
  sis?: ConnectorSettingsInput | 'none';
  /** Where `sis` comes from, as the runtime is told: the environment (default), or the demo SIS started beside the hub. */
  sisSource?: 'environment' | 'demo';
  /** Required from scrapers of /metrics. */
  metricsToken?: string;
  /** More runtime options (push retry policy, sweep interval, SMTP, `secrets`: default a random key…). */
  runtime?: Partial<Omit<RuntimeOptions, 'database' | 'sis' | 'clock'>>;
  /** A pino logger for the server and the runtime (tests read what the hub logs); none logs nothing. */
  logger?: FastifyBaseLogger;
  /** Writes rows as an earlier hub left them, before this one starts. */
  beforeStart?: (db: Kysely<DB>) => Promise<void>;
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const database = await freshDatabase();
  await options.beforeStart?.(database.db);
  const runtime = options.sis
    ? await startRuntime({
        database,
        clock: options.clock,
        sessions: options.sessions,
        sis: options.sis === 'none' ? null : { settings: options.sis, source: options.sisSource ?? 'environment' },
        nightlyCheckMs: 0,
        errorDigestMs: 0,
        logger: options.logger,
        secrets: new SecretBox(newSecretsKey()),
        ...options.runtime,
      })
    : undefined;
  const app = await buildApp({ database, runtime, logger: options.logger, loginRateLimit: options.loginRateLimit ?? 1000, clock: options.clock, sessions: options.sessions, metricsToken: options.metricsToken });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const hub: Hub = {
    url,
    database,
    db: database.db,
    admin: new Client(url),
    adminId: '',
    async user({ email, role, products = ['scheduling'], departmentIds = [] }) {
      const r = await roleByName(database.db, role);
      const created = await createUser(database.db, SYSTEM_ACTOR, {
        email,
        name: email,
        password: PASSWORD,
        roleId: r.id,
        products,
        departmentIds,
      });
      const client = new Client(url);
      const res = await client.signIn(email, PASSWORD);
      if (res.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(res.body)}`);
      return { client, id: created.id };
    },
    async token(role, kind = 'api') {
      const r = await roleByName(database.db, role);
      const { secret } = await createToken(database.db, SYSTEM_ACTOR, { name: `${role} token`, roleId: r.id, kind });
      return new Client(url, { bearer: secret });
    },
    runtime,
    async close() {
      await app.close();
      await runtime?.stop();
      await database.close();
    },
  };
  const admin = await hub.user({ email: 'registrar@example.edu', role: 'Registrar', products: ['scheduling', 'admin'] });
  hub.admin = admin.client;
  hub.adminId = admin.id;
  return hub;
}

/** A small schedule to work on: a department, a building with rooms, instructors, a term, courses. */
export async function seedSchedule(client: Client) {
  const ok = <T>(res: Response<T>) => {
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const math = ok(await client.post('/api/v1/departments', { code: 'MATH', name: 'Mathematics' }));
  const hist = ok(await client.post('/api/v1/departments', { code: 'HIST', name: 'History' }));
  const building = ok(await client.post('/api/v1/buildings', { code: 'ALT', name: 'Altgeld Hall' }));
  const room1 = ok(await client.post('/api/v1/rooms', { buildingId: building.id, number: '314', capacity: 40 }));
  const room2 = ok(await client.post('/api/v1/rooms', { buildingId: building.id, number: '141', capacity: 120 }));
  const ada = ok(await client.post('/api/v1/instructors', { name: 'Lovelace, Ada', email: 'ada@example.edu' }));
  const term = ok(
    await client.post('/api/v1/terms', {
      code: '2026-fa',
      name: 'Fall 2026',
      startsOn: '2026-08-24',
      endsOn: '2026-12-18',
      parts: [{ code: '1', name: 'Full term', startsOn: '2026-08-24', endsOn: '2026-12-18' }],
    }),
  );
  const calc = ok(await client.post('/api/v1/courses', { subject: 'MATH', number: '221', title: 'Calculus I', credits: 4, departmentId: math.id }));
  const rome = ok(await client.post('/api/v1/courses', { subject: 'HIST', number: '101', title: 'Ancient Rome', credits: 3, departmentId: hist.id }));
  return { math, hist, building, room1, room2, ada, term, calc, rome };
}
