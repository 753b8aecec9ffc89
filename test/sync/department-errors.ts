// Integration errors on the records of two departments, made by a real SIS (the Ethos simulator)
// refusing what the hub posts: for the tests of what a role limited to departments is shown of them.
import { expect } from 'vitest';
import type { Hub } from '../helpers/hub.ts';
import type { Pair } from '../sis/harness.ts';
import { postCrosslist, settled } from './push-helpers.ts';

export interface SectionView {
  id: string;
  departmentId: string;
  subject: string;
  courseNumber: string;
  sectionNumber: string;
  version: number;
  sisKey: string | null;
  termId: string;
  integrationStatus?: { status: string };
}

/** The term's synced sections in no relationship, of the department with the most of them and of the next. */
export async function sectionsOfTwoDepartments(hub: Hub, termId: string): Promise<[SectionView[], SectionView[]]> {
  const sections: SectionView[] = (await hub.admin.get(`/api/v1/sections?termId=${termId}&limit=200`)).body.items;
  const inRelationships = new Set((await hub.db.selectFrom('relationship_members').select('section_id').execute()).map((m) => m.section_id));
  const byDepartment = new Map<string, SectionView[]>();
  for (const s of sections)
    if (s.sisKey && s.integrationStatus?.status === 'synced' && !inRelationships.has(s.id)) byDepartment.set(s.departmentId, [...(byDepartment.get(s.departmentId) ?? []), s]);
  const [first, second] = [...byDepartment.values()].sort((x, y) => y.length - x.length);
  return [first, second];
}

let refusals = 0;
/** Saves a title the SIS refuses (ORA-12899): the section's post fails for good, now. */
export async function refuse(hub: Hub, s: SectionView) {
  const current = (await hub.admin.get(`/api/v1/sections/${s.id}`)).body;
  const res = await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: current.version, title: `A title far longer than thirty characters, take ${++refusals}` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await settled(hub.admin, s.id)).status).toBe('error');
}

/** Crosslists these sections in the SIS behind the hub's back: the hub's crosslists of them are refused. */
export async function crosslistInSis(sis: Pair, hub: Hub, termId: string, [primary, other]: [SectionView, SectionView]) {
  const termKey = (await hub.db.selectFrom('terms').select('sis_key').where('id', '=', termId).executeTakeFirstOrThrow()).sis_key!;
  await sis.connector.writer!.createRelationship({
    termKey,
    kind: 'crosslist',
    sharedCapacity: null,
    members: [
      { sectionKey: primary.sisKey!, primary: true },
      { sectionKey: other.sisKey!, primary: false },
    ],
  });
}

/** A crosslist the hub makes and the SIS refuses (`primary` is crosslisted there already): its id, once in error. */
export async function refusedCrosslist(hub: Hub, primary: SectionView, other: SectionView): Promise<string> {
  const id = await postCrosslist(hub.admin, primary, other);
  for (let i = 0; i < 400; i++) {
    const rel = (await hub.admin.get(`/api/v1/relationships/${id}`)).body;
    if (rel.integrationStatus?.status === 'error') return rel.id as string;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the SIS did not refuse the crosslist');
}
