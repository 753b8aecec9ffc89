// One institution time zone. The merge settings document carried a `timeZone` of its own (the
// nightly time and the ended-term warnings were read in it) beside institution_settings.time_zone
// (phases, the Course API), and the web app edited only the former. The institution's is now the
// only one. An institution whose zone was never set (still version 1, as 0003 seeded it) takes
// the zone the merge settings had, so the nightly keeps its hour; an explicitly set one wins. Then
// the key leaves every stored document, the current one and its history, so that each still reads
// as the merge settings schema (which refuses unknown keys) and the history shows no phantom change.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ merge_zone: string | null; time_zone: string; version: number }>`
    select ms.document ->> 'timeZone' as merge_zone, i.time_zone, i.version
    from institution_settings i left join merge_settings ms on ms.id = 1`.execute(db);
  const [institution] = rows;
  const zone = institution?.merge_zone;
  if (zone && institution.version === 1 && zone !== institution.time_zone) {
    await sql`update institution_settings set time_zone = ${zone}, version = version + 1, updated_at = now()`.execute(db);
    // Audited like an admin's change, so whoever wonders why the zone moved finds the reason.
    const changes = JSON.stringify({ timeZone: { before: institution.time_zone, after: zone } });
    const context = JSON.stringify({ reason: "taken from the merge settings' time zone when the two became one" });
    await sql`insert into audit_log (actor_type, actor_name, action, entity_type, entity_id, changes, context)
      values ('system', 'migration 0010', 'update', 'institution', 'settings', ${changes}::jsonb, ${context}::jsonb)`.execute(db);
  }
  await sql`update merge_settings set document = document - 'timeZone'`.execute(db);
  await sql`update merge_settings_history set document = document - 'timeZone'`.execute(db);
}
