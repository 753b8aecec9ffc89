// What the SIS sends that the hub dropped or made up (found importing a real Banner term):
// - courses.credits_max: the most credits of a variable-credit course ("1 TO 5 hours"), whose
//   least is `credits`; null for fixed credits. Before, a range was stored as its minimum.
// - sections.enrolled: the SIS's count as its base holds it, kept by PostgreSQL whenever the base
//   is written (a merge or a post), and null where the SIS never reported one (Ethos sections
//   carry none) instead of the column's default 0. The hub never edits it, so nothing else sets
//   it: a section posted from the hub shows the count the SIS answered with, as a merged one does.
// - sections.sis_number: the section's number in the SIS as registrars know it (Banner CRN,
//   PeopleSoft class number), from the base the same way: SIS-owned and never posted, it is there
//   as soon as the SIS has told the hub, by a merge or in answer to a post. Sections merged before
//   have a base without it: the next merge of their term brings it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table courses add column credits_max numeric(5,2), add constraint courses_credits_range check (credits_max >= credits)`.execute(db);
  await sql`alter table sections drop column enrolled`.execute(db);
  await sql`alter table sections add column enrolled integer generated always as ((sis_base ->> 'enrolled')::integer) stored`.execute(db);
  await sql`alter table sections add column sis_number text generated always as (sis_base ->> 'sisNumber') stored`.execute(db);
}
