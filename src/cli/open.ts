// What CLI commands share: the configured database, migrated and with the seeded roles; a
// runtime without workers for the commands that talk to the SIS; who a command acts as.
import { bootstrap } from '../auth/bootstrap.ts';
import { SecretBox, SECRETS_KEY_VARIABLE } from '../auth/secret-box.ts';
import { ConfigError, loadConfig, SIS_VARIABLES, type Config } from '../config.ts';
import { secretsKeyFile } from '../db/data-dir.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { SYSTEM_ACTOR, type Actor } from '../domain/permissions.ts';
import { startRuntime, type Runtime } from '../runtime.ts';
import { connectorSettings, type ConnectorSettings } from '../sis/settings.ts';

export async function openConfigured(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
}

/**
 * What stored secrets are encrypted with: COURSEBRIDGE_SECRETS_KEY; else, embedded, the key file
 * the hub keeps in its data directory; else (PostgreSQL) none, and no secret can be saved.
 */
export function secretBoxFor(config: Config): SecretBox {
  if (config.secretsKey) return new SecretBox(config.secretsKey, SECRETS_KEY_VARIABLE);
  if (config.databaseUrl) return new SecretBox(null);
  const { key, path } = secretsKeyFile(config.dataDir);
  return new SecretBox(key, `the key file ${path}`);
}

/**
 * Migrates and seeds. Whichever command meets an empty database creates the first admin, so it
 * is the one that shows their password: nothing else ever can (only its hash is stored). On
 * standard error, which keeps a command's output (a token) clean for scripts.
 */
export async function prepare(database: Database, config: Config): Promise<void> {
  await migrateToLatest(database.db);
  const created = await bootstrap(database.db, { adminEmail: config.adminEmail, adminPassword: config.adminPassword });
  if (!created.adminEmail) return;
  const password = created.generatedPassword ?? '(from COURSEBRIDGE_ADMIN_PASSWORD)';
  process.stderr.write(
    `\nFirst start: created the administrator ${created.adminEmail}\n  password: ${password}\n` +
      '  This is shown once. Sign in and keep it somewhere safe.\n\n',
  );
}

/** The SIS the COURSEBRIDGE_SIS_* variables name, checked by its connector; what it refuses is named by variable. */
export function environmentSis(config: Config): ConnectorSettings | null {
  if (!config.sis) return null;
  const parsed = connectorSettings.safeParse(config.sis);
  if (parsed.success) return parsed.data;
  const { kind } = config.sis;
  const lines = parsed.error.issues.map((issue) => {
    const setting = String(issue.path[0]);
    const variable = SIS_VARIABLES[setting as keyof typeof SIS_VARIABLES] ?? setting;
    return `  ${variable}: ${config.sis![setting] === undefined ? `needed with COURSEBRIDGE_SIS_KIND=${String(kind)}` : issue.message}`;
  });
  throw new ConfigError(`Invalid COURSEBRIDGE_SIS_* settings:\n${lines.join('\n')}`);
}

/**
 * Runs `work` with the configured database prepared and a runtime beside it that runs no
 * workers: the command makes its own SIS calls, and a server's workers stay theirs.
 */
export async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openConfigured(config);
  try {
    await prepare(database, config);
    const settings = environmentSis(config);
    const sis = settings ? { settings, source: 'environment' as const } : null;
    const runtime = await startRuntime({ database, sis, secrets: secretBoxFor(config), workers: false });
    try {
      return await work(runtime);
    } finally {
      await runtime.stop();
    }
  } finally {
    await database.close();
  }
}

/** A mistake in how the command was called or what it was asked for: printed as its one line, no stack. */
export class CliError extends Error {}

/** Who a command's writes are audited as: the CLI, with the shell's user. */
export const cliActor = (): Actor => ({ ...SYSTEM_ACTOR, name: `cli (${process.env.USER ?? 'unknown user'})` });

/** A commander option that takes a comma-separated list, or is repeated. */
export const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
