// The lease on a record's integration status row: taken before a post, renewed while it runs, let
// go after, so that two workers (or a worker and Send Updates) never post one record at once; with
// what the hub last sent for the record, kept until a post is acknowledged.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Fields } from '../domain/three-way.ts';
import { sameValue } from '../domain/same-value.ts';
import type { PostedType } from './integration-store.ts';

export class RecordLease {
  /** This process's name on the leases it holds. */
  readonly owner = `${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #db: Kysely<DB>;
  readonly #leaseMs: number;

  /** Records this process is posting: the database lease is per process, this keeps it to one post. */
  readonly #held = new Set<string>();

  constructor(db: Kysely<DB>, leaseMs: number) {
    this.#db = db;
    this.#leaseMs = leaseMs;
  }

  /** The record's lease, with what the hub last sent for it; null when another post holds it. */
  async claim(type: PostedType, id: string, termId: string | null, hasKey: boolean): Promise<{ sent: Fields | null } | null> {
    const key = `${type}:${id}`;
    if (this.#held.has(key)) return null;
    this.#held.add(key);
    // Database time, so workers on hosts with skewed clocks agree on when a claim lapses. One
    // statement: the status row is made if missing, and taken only when no live lease is on it.
    const until = sql<Date>`now() + make_interval(secs => ${this.#leaseMs / 1000})`;
    const claimed = await this.#db
      .insertInto('integration_status')
      .values({ entity_type: type, entity_id: id, term_id: termId, status: hasKey ? 'synced' : 'not_synced', messages: '[]', lease_owner: this.owner, lease_until: until })
      .onConflict((oc) =>
        oc
          .columns(['entity_type', 'entity_id'])
          .doUpdateSet({ lease_owner: this.owner, lease_until: until })
          .where((eb) =>
            eb.or([
              eb('integration_status.lease_until', 'is', null),
              eb('integration_status.lease_until', '<', sql<Date>`now()`),
              eb('integration_status.lease_owner', '=', this.owner),
            ]),
          ),
      )
      .returning(['entity_id', 'sent'])
      .executeTakeFirst()
      .catch((error: unknown) => {
        this.#held.delete(key);
        throw error;
      });
    if (!claimed) this.#held.delete(key);
    return claimed ? { sent: (claimed.sent as Fields | null) ?? null } : null;
  }

  /**
   * Kept before a write of a field the SIS owns goes out, until a post is acknowledged: if its
   * answer is lost, the next post (or merge) knows what the SIS may hold. `base`: the record's base
   * with an earlier lost write this post found in the SIS counted in (`baseWithSent`), stored with
   * it: the new `sent` replaces the old, and should this write not land, the SIS still holding the
   * earlier one must not read as a change made there.
   */
  async recordSent(type: PostedType, id: string, sent: Fields, base: { stored: Fields | null; seen: Fields | null }) {
    await this.#db.transaction().execute(async (trx) => {
      if (base.seen && !sameValue(base.seen, base.stored)) {
        const table = type === 'section' ? 'sections' : 'relationships';
        await trx.updateTable(table).set({ sis_base: JSON.stringify(base.seen) } as never).where('id', '=', id).execute();
      }
      await trx.updateTable('integration_status').set({ sent: JSON.stringify(sent) }).where('entity_type', '=', type).where('entity_id', '=', id).execute();
    });
  }

  renewing(type: PostedType, id: string): () => void {
    const timer = setInterval(() => {
      void this.#db
        .updateTable('integration_status')
        .set({ lease_until: sql<Date>`now() + make_interval(secs => ${this.#leaseMs / 1000})` })
        .where('entity_type', '=', type)
        .where('entity_id', '=', id)
        .where('lease_owner', '=', this.owner)
        .execute()
        .catch(() => undefined);
    }, Math.max(1000, this.#leaseMs / 3));
    timer.unref();
    return () => clearInterval(timer);
  }

  /** `inDatabase` false: the transaction that recorded the outcome already let go of the lease. */
  async release(type: PostedType, id: string, inDatabase = true) {
    try {
      if (inDatabase)
        await this.#db
          .updateTable('integration_status')
          .set({ lease_owner: null, lease_until: null })
          .where('entity_type', '=', type)
          .where('entity_id', '=', id)
          .where('lease_owner', '=', this.owner)
          .execute();
    } finally {
      this.#held.delete(`${type}:${id}`);
    }
  }

  /** Embedded mode is one process: a lease still held belongs to a process that died. */
  async releaseAll() {
    await this.#db.updateTable('integration_status').set({ lease_owner: null, lease_until: null }).where('lease_owner', 'is not', null).execute();
  }
}
