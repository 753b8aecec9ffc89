// The SIS this hub talks to: settings from the environment take precedence; otherwise those an
// admin saved; otherwise the demo SIS started alongside, a stand-in until an admin saves their own.
// Secrets are never returned by the API, and are stored encrypted (src/auth/secret-box.ts).
import { sql, type Kysely } from 'kysely';
import { NEW_SECRET_CHANGE, type SecretBox, type StoredSecrets } from '../auth/secret-box.ts';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, DomainError } from '../domain/errors.ts';
import type { Actor } from '../domain/permissions.ts';
import type { SisConnector } from '../sis/contract.ts';
import { createConnector } from '../sis/registry.ts';
import {
  connectorSettings,
  redactSettings,
  SECRET_SETTING,
  SECRET_SETTING_KEYS,
  type ConnectionInput,
  type ConnectorSettings,
  type ConnectorSettingsInput,
} from '../sis/settings.ts';
import { recordAudit } from '../store/audit.ts';
import { SisFetcher } from './fetcher.ts';

export type ConnectionSource = 'environment' | 'demo' | 'database' | 'none';

export class NoSisError extends DomainError {
  constructor() {
    super(409, 'No SIS connection', 'No SIS connection is configured: save one under admin/sis-connection, or set the COURSEBRIDGE_SIS_* variables.');
  }
}

/** A secret left out where none is saved for this kind at this address. */
class SecretRequiredError extends DomainError {
  constructor(key: string, moved: boolean) {
    const message = `Enter the ${key === 'apiKey' ? 'API key' : key}${moved ? ' again: the address changed' : ''}`;
    super(400, 'Invalid request', `${message}${moved ? ', and a saved secret is never sent to another address' : ''}.`, { errors: [{ field: key, message }] });
  }
}

const SAVED_TTL_MS = 5_000;

/** A setting's value as a string, whatever the kind (baseUrl, apiKey, password). */
const valueOf = (settings: object | null, key: string): string | undefined => {
  const value = (settings as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Where a secret of the connection is stored, sealed into it (src/auth/secret-box.ts): a key left
 * behind when kind or baseUrl is changed in the database, outside the hub, does not open there.
 */
const contextOf = (settings: { kind: string }, key: string) => `sis_connection|${key}|${settings.kind}|${valueOf(settings, 'baseUrl') ?? ''}`;

/** The settings with each secret (apiKey, password) replaced by what `change` makes of it. */
function withSecrets(settings: ConnectorSettings, change: (value: string, key: string, context: string) => string): ConnectorSettings {
  const changed: Record<string, unknown> = { ...settings };
  for (const key of SECRET_SETTING_KEYS) if (typeof changed[key] === 'string') changed[key] = change(changed[key], key, contextOf(settings, key));
  return changed as ConnectorSettings;
}

export class SisConnections {
  readonly #db: Kysely<DB>;
  readonly #box: SecretBox;
  /** The environment's SIS (fixed), or the demo SIS (only while no connection is saved). */
  readonly #fixed: { settings: ConnectorSettings; source: 'environment' | 'demo' } | null;
  #cached: { json: string; connector: SisConnector; fetcher: SisFetcher } | null = null;
  /**
   * The saved connection as last read, for a few seconds: every post asks for the connector, and
   * the row changes about never. A save here forgets it at once; another process's save is seen
   * within SAVED_TTL_MS.
   */
  #saved: { row: { settings: unknown } | undefined; until: number } | null = null;

  constructor(db: Kysely<DB>, box: SecretBox, fixed: { settings: ConnectorSettingsInput; source: 'environment' | 'demo' } | null = null) {
    this.#db = db;
    this.#box = box;
    this.#fixed = fixed ? { settings: connectorSettings.parse(fixed.settings), source: fixed.source } : null;
  }

  /** The settings in force; a saved connection's secrets as stored (sealed). */
  async #inForce(): Promise<{ settings: ConnectorSettings | null; source: ConnectionSource }> {
    if (this.#fixed?.source === 'environment') return this.#fixed;
    if (!this.#saved || this.#saved.until < performance.now())
      this.#saved = { row: await this.#db.selectFrom('sis_connection').select('settings').where('id', '=', 1).executeTakeFirst(), until: performance.now() + SAVED_TTL_MS };
    const { row } = this.#saved;
    if (row) return { settings: connectorSettings.parse(row.settings), source: 'database' };
    return this.#fixed ?? { settings: null, source: 'none' };
  }

  /** A saved connection's settings with its secrets opened; others as they are. */
  #opened(settings: ConnectorSettings, source: ConnectionSource): ConnectorSettings {
    return source === 'database' ? withSecrets(settings, (stored, key, context) => this.#box.open(stored, `The saved SIS connection's ${key}`, context)) : settings;
  }

  /** The connector for the current settings; the same instance while they do not change (it keeps its token). */
  async connector(): Promise<SisConnector> {
    return (await this.forMerge()).connector;
  }

  /** The connector and, for a merge's reads, the fetch thread of the same settings. */
  async forMerge(): Promise<{ connector: SisConnector; fetcher: SisFetcher }> {
    // Compared as stored: every post asks for the connector, and secrets are opened only to make one.
    const { settings, source } = await this.#inForce();
    if (!settings) throw new NoSisError();
    const json = JSON.stringify(settings);
    if (this.#cached?.json !== json) {
      const opened = this.#opened(settings, source);
      void this.#cached?.fetcher.close();
      this.#cached = { json, connector: createConnector(opened), fetcher: new SisFetcher(opened) };
    }
    return this.#cached;
  }

  /** Stops the fetch thread once its fetches are done. */
  async close(): Promise<void> {
    await this.#cached?.fetcher.close();
  }

  async describe() {
    const { settings, source } = await this.#inForce();
    return { source, settings: settings ? redactSettings(settings) : null };
  }

  /**
   * Saves the connection. A secret left out or empty keeps the saved one, but only for the same
   * kind at the same baseUrl: a key sent to another address would leak it there. A secret as saved
   * keeps its stored form, so the audit log and the connector cache see it unchanged.
   */
  async save(actor: Actor, input: ConnectionInput): Promise<void> {
    if (this.#fixed?.source === 'environment') throw new ConflictError('The SIS connection comes from the environment (COURSEBRIDGE_SIS_*); change it there.');
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('sis_connection').select('settings').where('id', '=', 1).forUpdate().executeTakeFirst();
      const before = row ? connectorSettings.parse(row.settings) : null;
      const settings = this.#withStoredSecrets(input, before);
      const document = JSON.stringify(settings);
      await trx
        .insertInto('sis_connection')
        .values({ id: 1, settings: document })
        .onConflict((oc) => oc.column('id').doUpdateSet({ settings: document }))
        .execute();
      const changes = fieldChanges(before && redactSettings(before), redactSettings(settings));
      for (const key of SECRET_SETTING_KEYS) {
        const [was, is] = [before && valueOf(before, key), valueOf(settings, key)];
        if (was && is && was !== is) changes[key] = NEW_SECRET_CHANGE;
      }
      await recordAudit(trx, actor, { action: 'update', entityType: 'sis_connection', entityId: '1', changes });
    });
    this.#saved = null;
  }

  /** The settings to store: a secret given sealed (kept as stored when it is the saved one), one left out the saved one. */
  #withStoredSecrets(input: ConnectionInput, before: ConnectorSettings | null): ConnectorSettings {
    const key = SECRET_SETTING[input.kind];
    if (!key) return connectorSettings.parse(input);
    const sameKind = before?.kind === input.kind;
    const sameAddress = sameKind && valueOf(before, 'baseUrl') === valueOf(input, 'baseUrl');
    const given = valueOf(input, key);
    const saved = sameAddress ? valueOf(before, key) : undefined;
    if (!given && !saved) throw new SecretRequiredError(key, sameKind);
    return connectorSettings.parse({ ...input, [key]: given ? this.#box.reseal(saved, given, key, contextOf(input, key)) : saved });
  }

  /**
   * Seals a connection saved in plain text before secrets were encrypted, or sealed for no place
   * (enc:v1:), when there is a key: at start, so an upgrade leaves none behind without an admin
   * saving it again (on next write alone, a connection saved once would stay as it was for good).
   * Compared and set, as other processes may be starting too.
   */
  async sealStored(): Promise<StoredSecrets> {
    const found: StoredSecrets = { encrypted: 0, plain: 0, unreadable: 0 };
    const row = await this.#db.selectFrom('sis_connection').select('settings').where('id', '=', 1).executeTakeFirst();
    if (!row) return found;
    const sealed = withSecrets(connectorSettings.parse(row.settings), (stored, key, context) => this.#box.upgrade(stored, key, found, context));
    if (!found.encrypted) return found;
    const updated = await this.#db
      .updateTable('sis_connection')
      .set({ settings: JSON.stringify(sealed) })
      .where('id', '=', 1)
      .where(sql<boolean>`settings = ${JSON.stringify(row.settings)}::jsonb`)
      .executeTakeFirst();
    if (!updated.numUpdatedRows) found.encrypted = 0; // another process was first
    return found;
  }
}
