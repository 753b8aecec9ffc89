// Configuration comes from the environment, validated once at start; README lists every variable.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseSecretsKey, SECRETS_KEY_MESSAGE } from './auth/secret-box.ts';
import { SESSION_HOURS, SESSION_IDLE_MINUTES } from './auth/sessions.ts';
import { isTimeZone } from './domain/zoned-time.ts';

const SESSION_IDLE_MESSAGE = `COURSEBRIDGE_SESSION_IDLE_MINUTES must be a whole number of minutes from 1 to ${SESSION_HOURS * 60} (a session ends ${SESSION_HOURS} hours after sign-in in any case)`;

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  COURSEBRIDGE_DATA_DIR: z.string().default('./data'),
  COURSEBRIDGE_ADMIN_EMAIL: z.email().optional(),
  COURSEBRIDGE_ADMIN_PASSWORD: z.string().min(12, 'COURSEBRIDGE_ADMIN_PASSWORD needs at least 12 characters').optional(),
  COURSEBRIDGE_SECURE_COOKIES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  COURSEBRIDGE_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      const trust = trustProxy(value);
      if (trust !== undefined) return trust;
      ctx.issues.push({ code: 'custom', input: value, message: TRUST_PROXY_MESSAGE });
      return z.NEVER;
    }),
  COURSEBRIDGE_SECRETS_KEY: z
    .string()
    .transform((value, ctx) => {
      const key = parseSecretsKey(value);
      if (key) return key;
      ctx.issues.push({ code: 'custom', input: value, message: SECRETS_KEY_MESSAGE });
      return z.NEVER;
    })
    .optional(),
  COURSEBRIDGE_SESSION_IDLE_MINUTES: z.coerce
    .number({ error: SESSION_IDLE_MESSAGE })
    .int(SESSION_IDLE_MESSAGE)
    .min(1, SESSION_IDLE_MESSAGE)
    .max(SESSION_HOURS * 60, SESSION_IDLE_MESSAGE)
    .default(SESSION_IDLE_MINUTES),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COURSEBRIDGE_SIS_KIND: z.enum(['ethos', 'peoplesoft', 'csv']).optional(),
  COURSEBRIDGE_SIS_URL: z.url().optional(),
  COURSEBRIDGE_SIS_API_KEY: z.string().min(1).optional(),
  COURSEBRIDGE_SIS_USERNAME: z.string().min(1).optional(),
  COURSEBRIDGE_SIS_PASSWORD: z.string().min(1).optional(),
  COURSEBRIDGE_SIS_PATH: z.string().min(1).optional(),
  COURSEBRIDGE_SIS_TIME_ZONE: z.string().refine(isTimeZone, 'COURSEBRIDGE_SIS_TIME_ZONE must be an IANA time zone name, e.g. America/Chicago').optional(),
  COURSEBRIDGE_DEMO_SIS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  COURSEBRIDGE_WORKERS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  COURSEBRIDGE_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'COURSEBRIDGE_SMTP_URL must be an smtp:// or smtps:// URL').optional(),
  COURSEBRIDGE_SMTP_FROM: z.string().default('Coursebridge <coursebridge@localhost>'),
  COURSEBRIDGE_WEBHOOK_ALLOW_LOOPBACK: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  COURSEBRIDGE_WEBHOOK_NETWORKS: z
    .string()
    .transform((v) => v.split(',').map((n) => n.trim()).filter(Boolean))
    .refine((networks) => networks.every(isNetwork), 'COURSEBRIDGE_WEBHOOK_NETWORKS must be a comma-separated list of addresses or CIDR networks, e.g. 10.20.0.0/16')
    .default([]),
  COURSEBRIDGE_METRICS_TOKEN: z.string().min(16, 'COURSEBRIDGE_METRICS_TOKEN needs at least 16 characters').optional(),
  COURSEBRIDGE_PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(32),
  COURSEBRIDGE_PUSH_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  COURSEBRIDGE_PUSH_SWEEP_MS: z.coerce.number().int().min(0).default(15_000),
});

/** An address or CIDR network ("10.20.0.0/16", "fd00::/8", "10.1.2.3"). */
function isNetwork(cidr: string): boolean {
  const [address, prefix, ...rest] = cidr.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // A variable set to nothing (`PORT=` in a unit file or .env) is unset, not a value: coerced, an
  // empty PORT would be 0 (a random port) and an empty sweep interval 0 (no sweep).
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    dataDir: resolve(c.COURSEBRIDGE_DATA_DIR),
    adminEmail: c.COURSEBRIDGE_ADMIN_EMAIL,
    adminPassword: c.COURSEBRIDGE_ADMIN_PASSWORD,
    secureCookies: c.COURSEBRIDGE_SECURE_COOKIES,
    trustProxy: c.COURSEBRIDGE_TRUST_PROXY,
    sessionIdleMinutes: c.COURSEBRIDGE_SESSION_IDLE_MINUTES,
    secretsKey: c.COURSEBRIDGE_SECRETS_KEY ?? null,
    logLevel: c.LOG_LEVEL,
    sis: sisSettings(c),
    demoSis: c.COURSEBRIDGE_DEMO_SIS,
    workers: c.COURSEBRIDGE_WORKERS,
    metricsToken: c.COURSEBRIDGE_METRICS_TOKEN ?? null,
    smtp: c.COURSEBRIDGE_SMTP_URL ? { url: c.COURSEBRIDGE_SMTP_URL, from: c.COURSEBRIDGE_SMTP_FROM } : null,
    webhooks: { allowLoopback: c.COURSEBRIDGE_WEBHOOK_ALLOW_LOOPBACK, networks: c.COURSEBRIDGE_WEBHOOK_NETWORKS },
    push: { concurrency: c.COURSEBRIDGE_PUSH_CONCURRENCY, leaseMs: c.COURSEBRIDGE_PUSH_LEASE_MS, sweepMs: c.COURSEBRIDGE_PUSH_SWEEP_MS },
  };
}

const TRUST_PROXY_MESSAGE =
  "COURSEBRIDGE_TRUST_PROXY must be true, false, or a comma-separated list of the proxies' addresses (IP, CIDR, loopback, linklocal, uniquelocal); " +
  'a number of hops is not taken: Fastify no longer trusts by one, as it cannot tell a proxy from a client that connects directly';
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** Fastify's trustProxy from the variable: whose X-Forwarded-For to believe about the client's address. */
function trustProxy(value: string): boolean | string[] | undefined {
  if (value === 'true' || value === 'false') return value === 'true';
  const addresses = value.split(',').map((a) => a.trim());
  return addresses.every(isProxyAddress) ? addresses : undefined;
}

/** An address, a CIDR range or netmask, or one of proxy-addr's names: what Fastify's trustProxy list takes. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(range) === 4;
}

/** The variable that sets each connector setting: a setting the connector refuses is named by its variable. */
export const SIS_VARIABLES = {
  kind: 'COURSEBRIDGE_SIS_KIND',
  baseUrl: 'COURSEBRIDGE_SIS_URL',
  apiKey: 'COURSEBRIDGE_SIS_API_KEY',
  username: 'COURSEBRIDGE_SIS_USERNAME',
  password: 'COURSEBRIDGE_SIS_PASSWORD',
  path: 'COURSEBRIDGE_SIS_PATH',
  timeZone: 'COURSEBRIDGE_SIS_TIME_ZONE',
} as const;

/** The SIS named by the environment, if any; the connector's own schema validates it further. */
function sisSettings(c: z.output<typeof schema>): Record<string, unknown> | null {
  if (!c.COURSEBRIDGE_SIS_KIND) return null;
  return Object.fromEntries(Object.entries(SIS_VARIABLES).flatMap(([setting, variable]) => (c[variable] === undefined ? [] : [[setting, c[variable]]])));
}

export class ConfigError extends Error {}
