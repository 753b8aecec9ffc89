// The merge holds a section's meetings and instructors in one order by content (src/domain/
// content-order.ts); migration 0015 put the stored bases in that order in SQL. Unless the two
// orders agree exactly, a base the migration ordered digests unlike what the SIS sends now, and the
// first merge after the upgrade rewrites it: checked here against the database, on either backend.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { up } from '../../src/db/migrations/0015_meeting_order.ts';
import { byInstructor, byMeeting } from '../../src/domain/content-order.ts';
import { freshDatabase } from '../helpers/db.ts';

let database: Database;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database?.close());

// Text in any script (astral code points and U+E000–U+FFFF, which UTF-16 orders differently), but NUL.
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('', 'a', 'A', 'é', '\uffff', '😀', '09:00', '2025-08-25')).filter((s) => !s.includes('\u0000'));
const maybe = fc.option(text, { nil: null });
const meeting = fc.record(
  {
    days: fc.subarray([...'MTWRFSU']).map((days) => days.join('')),
    startTime: maybe,
    endTime: maybe,
    startDate: maybe,
    endDate: maybe,
    roomKey: maybe,
    // Weekly meetings carry no interval (src/sync/fields.ts).
    weekInterval: fc.integer({ min: 2, max: 52 }),
  },
  { requiredKeys: ['days', 'startTime', 'endTime', 'startDate', 'endDate', 'roomKey'] },
);
const instructor = fc.record({ instructorKey: maybe, role: fc.constantFrom('primary', 'secondary') });

describe('migration 0015', () => {
  it('orders stored meetings and instructors exactly as the merge orders them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ meetings: fc.array(meeting, { maxLength: 5 }), instructors: fc.array(instructor, { maxLength: 4 }) }), { minLength: 1, maxLength: 20 }), async (sent) => {
        const ids = sent.map(() => randomUUID());
        await database.db
          .insertInto('integration_status')
          .values(sent.map((s, i) => ({ entity_type: 'section', entity_id: ids[i], status: 'synced', sent: JSON.stringify(s) })))
          .execute();
        await up(database.db);
        const stored = await database.db.selectFrom('integration_status').select(['entity_id', 'sent']).where('entity_id', 'in', ids).execute();
        const byId = new Map(stored.map((r) => [r.entity_id, r.sent]));
        expect(ids.map((id) => byId.get(id))).toEqual(sent.map((s) => ({ meetings: [...s.meetings].sort(byMeeting), instructors: [...s.instructors].sort(byInstructor) })));
        await sql`delete from integration_status`.execute(database.db);
      }),
      { numRuns: 25 },
    );
  });
});
