// Configuration comes from the environment, validated once at start; README lists every variable.
import { resolve } from 'node:path';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  COURSEBRIDGE_DATA_DIR: z.string().default('./data'),
  COURSEBRIDGE_ADMIN_EMAIL: z.email().optional(),
  COURSEBRIDGE_ADMIN_PASSWORD: z.string().min(12, 'COURSEBRIDGE_ADMIN_PASSWORD needs at least 12 characters').optional(),
  COURSEBRIDGE_SECURE_COOKIES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
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
    logLevel: c.LOG_LEVEL,
  };
}

export class ConfigError extends Error {}
