// What the SIS sends that the hub dropped (found importing a real Banner term):
// - courses.credits_max: the most credits of a variable-credit course ("1 TO 5 hours"), whose
//   least is `credits`; null for fixed credits. Before, a range was stored as its minimum.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table courses add column credits_max numeric(5,2), add constraint courses_credits_range check (credits_max >= credits)`.execute(db);
}
