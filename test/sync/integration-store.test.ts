// A record's integration status row: made by its first event, locked by every later one, so two
// transactions saving the same record apply their events one after the other.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { applyStatusEvent } from '../../src/sync/integration-store.ts';
import { freshDatabase } from '../helpers/db.ts';

let database: Database;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database.close());

const at = new Date('2026-11-25T12:00:00Z');

describe('integration status events', () => {
  it("makes a record's row by its first event, with the event applied", async () => {
    const { db } = database;
    const id = randomUUID();
    const applied = await db.transaction().execute((trx) => applyStatusEvent(trx, 'section', id, null, true, { kind: 'enqueued', at, version: 4 }));
    expect(applied.before).toMatchObject({ status: 'synced', wantedVersion: null, queuedAt: null });
    expect(applied.next).toMatchObject({ status: 'pending', wantedVersion: 4, queuedAt: at });
    const rows = await db.selectFrom('integration_status').select(['status', 'wanted_version', 'queued_at']).where('entity_id', '=', id).execute();
    expect(rows).toEqual([{ status: 'pending', wanted_version: 4, queued_at: at }]);
  });

  it('applies two first events racing for one record one after the other, the second on the row the first made', async () => {
    const { db } = database;
    const id = randomUUID();
    let release = () => {};
    const holding = new Promise<void>((resolve) => (release = resolve));
    let made = () => {};
    const firstMade = new Promise<void>((resolve) => (made = resolve));
    // The first transaction makes the row and keeps it uncommitted until released.
    const first = db.transaction().execute(async (trx) => {
      await applyStatusEvent(trx, 'section', id, null, false, { kind: 'enqueued', at, version: 2 });
      made();
      await holding;
    });
    await firstMade;
    const second = db.transaction().execute((trx) => applyStatusEvent(trx, 'section', id, null, false, { kind: 'enqueued', at, version: 3 }));
    if (database.kind === 'postgres') {
      // The second finds no committed row and waits on the first's insert: release the first only then.
      for (let i = 0; ; i++) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
        if (rows[0].n > 0) break;
        if (i > 2000) throw new Error('the second transaction never waited for the first');
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    // On PGlite transactions take turns: the second starts once the first has committed.
    release();
    await first;
    const applied = await second;
    expect(applied.before).toMatchObject({ status: 'pending', wantedVersion: 2 });
    expect(applied.next).toMatchObject({ status: 'pending', wantedVersion: 3 });
    const rows = await db.selectFrom('integration_status').select(['status', 'wanted_version']).where('entity_id', '=', id).execute();
    expect(rows).toEqual([{ status: 'pending', wanted_version: 3 }]);
  });
});
