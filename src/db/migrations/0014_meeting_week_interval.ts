// A meeting is held every n weeks on its days (a lab every other week is 2): Ethos repeat rules
// carry the interval, and the hub read every meeting as weekly, so a post rewrote a biweekly
// meeting in the SIS as weekly. Every existing meeting is weekly, as the hub held it. The SIS
// bases stored before (sections.sis_base) are left as they are: the merge's fields leave a weekly
// meeting's interval out (src/sync/fields.ts), so those bases still compare, and digest, equal.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table meetings add column week_interval smallint not null default 1 check (week_interval between 1 and 52)`.execute(db);
}
