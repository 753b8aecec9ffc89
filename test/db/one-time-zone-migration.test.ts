// Migration 0010 over a database as an older version left it: merge settings that carried their own
// time zone. The institution takes that zone unless an admin had set the institution's, and every
// stored merge settings document, with its history, reads again without the key.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../src/db/migrations/0010_one_time_zone.ts';
import { defaultMergeSettings } from '../../src/domain/merge-settings.ts';
import { startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub({ sis: 'none' });
});
afterAll(async () => {
  await hub?.close();
});

/** Merge settings saved twice by an older version, each with its own time zone, and the institution as given. */
async function olderState(institution: { timeZone: string; version: number }, mergeZone: string) {
  const document = (timeZone: string) => JSON.stringify({ ...defaultMergeSettings(), timeZone });
  await hub.db.deleteFrom('merge_settings_history').execute();
  await hub.db.deleteFrom('merge_settings').execute();
  await hub.db.insertInto('merge_settings').values({ id: 1, version: 2, document: document(mergeZone) }).execute();
  await hub.db
    .insertInto('merge_settings_history')
    .values([
      { version: 1, document: document('America/Chicago'), actor_name: 'registrar@example.edu', comment: null },
      { version: 2, document: document(mergeZone), actor_name: 'registrar@example.edu', comment: 'Moved east' },
    ])
    .execute();
  await hub.db.updateTable('institution_settings').set({ time_zone: institution.timeZone, version: institution.version }).execute();
}

const migrate = () => hub.db.transaction().execute((trx) => up(trx));

describe('migration 0010: one institution time zone', () => {
  it("gives an institution whose zone was never set the merge settings' zone, audited, and strips the key everywhere", async () => {
    await olderState({ timeZone: 'America/Chicago', version: 1 }, 'America/New_York');
    await migrate();
    expect((await hub.admin.get('/api/v1/admin/institution')).body).toMatchObject({ timeZone: 'America/New_York', version: 2 });
    const view = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    expect(view.version).toBe(2);
    expect(view.settings).toEqual(defaultMergeSettings());
    const history = (await hub.admin.get('/api/v1/admin/merge-settings/history')).body.items;
    expect(history.map((h: { version: number; settings: object }) => [h.version, 'timeZone' in h.settings])).toEqual([
      [2, false],
      [1, false],
    ]);
    const audit = (await hub.admin.get('/api/v1/audit?entityType=institution')).body.items[0];
    expect(audit).toMatchObject({ actor: { type: 'system', name: 'migration 0010' }, changes: { timeZone: { before: 'America/Chicago', after: 'America/New_York' } } });
  });

  it("keeps a zone an admin set for the institution, and only strips the merge settings' one", async () => {
    await olderState({ timeZone: 'America/Denver', version: 3 }, 'America/New_York');
    await migrate();
    expect((await hub.admin.get('/api/v1/admin/institution')).body).toMatchObject({ timeZone: 'America/Denver', version: 3 });
    expect((await hub.admin.get('/api/v1/admin/merge-settings')).body.settings).toEqual(defaultMergeSettings());
    const stored = await sql<{ n: number }>`select count(*)::int as n from merge_settings_history where document ? 'timeZone'`.execute(hub.db);
    expect(stored.rows[0].n).toBe(0);
  });

  it('changes nothing on a hub whose merge settings were never saved', async () => {
    await hub.db.deleteFrom('merge_settings_history').execute();
    await hub.db.deleteFrom('merge_settings').execute();
    await hub.db.updateTable('institution_settings').set({ time_zone: 'America/Chicago', version: 1 }).execute();
    await migrate();
    expect((await hub.admin.get('/api/v1/admin/institution')).body).toMatchObject({ timeZone: 'America/Chicago', version: 1 });
    expect((await hub.admin.get('/api/v1/admin/merge-settings')).body).toMatchObject({ version: 0, settings: defaultMergeSettings() });
  });
});
