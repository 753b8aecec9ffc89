// A term of 20,000 sections pages completely and in order, whatever the sort and filters.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

const SECTIONS = 20_000;
let hub: Hub;
let termId: string;

beforeAll(async () => {
  hub = await startHub();
  const s = await seedSchedule(hub.admin);
  termId = s.term.id;
  // 200 courses × 100 sections, written straight to the store: this tests paging, not creation.
  await sql`
    insert into courses (subject, number, title, credits, department_id)
    select 'S' || lpad((g % 20)::text, 2, '0'), lpad(g::text, 4, '0'), 'Course ' || g, 3, ${s.math.id}
    from generate_series(1, 200) g`.execute(hub.db);
  // Enrollment as the SIS reported it (the base holds it); every fifth section's is unknown.
  await sql`
    insert into sections (term_id, course_id, section_number, component, capacity, sis_base)
    select ${termId}, c.id, lpad(n::text, 3, '0'), 'LEC', (n * 7) % 150, case when n % 5 = 0 then '{}'::jsonb else jsonb_build_object('enrolled', (n * 3) % 40) end
    from courses c cross join generate_series(1, 100) n
    where c.subject like 'S%'`.execute(hub.db);
}, 300_000);
afterAll(() => hub?.close());

async function pageAll(query: string) {
  const ids: string[] = [];
  const rows: { subject: string; courseNumber: string; sectionNumber: string; capacity: number; enrolled: number | null }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; body: any } = await hub.admin.get(`/api/v1/sections?termId=${termId}&limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((x: { id: string }) => x.id));
    rows.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { ids, rows, pages };
}

describe('cursor pagination over 20k sections', () => {
  it('returns every section exactly once in course-code order', async () => {
    const { ids, rows, pages } = await pageAll('');
    expect(ids).toHaveLength(SECTIONS);
    expect(new Set(ids).size).toBe(SECTIONS);
    expect(pages).toBe(SECTIONS / 500);
    const keys = rows.map((r) => `${r.subject} ${r.courseNumber} ${r.sectionNumber}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('pages a descending sort with ties on capacity without skipping or repeating', async () => {
    const { ids, rows } = await pageAll('&sort=-capacity');
    expect(new Set(ids).size).toBe(SECTIONS);
    const capacities = rows.map((r) => r.capacity);
    expect(capacities).toEqual([...capacities].sort((a, b) => b - a));
  });

  it('pages by enrollment either way with the unknown counts last, each section once', async () => {
    for (const sort of ['enrolled', '-enrolled']) {
      const { ids, rows } = await pageAll(`&sort=${sort}`);
      expect(new Set(ids).size, sort).toBe(SECTIONS);
      const known = rows.filter((r) => r.enrolled !== null).map((r) => r.enrolled!);
      expect(known, sort).toHaveLength(SECTIONS * 0.8);
      expect(rows.slice(known.length).every((r) => r.enrolled === null), sort).toBe(true);
      expect(known, sort).toEqual([...known].sort((a, b) => (sort === 'enrolled' ? a - b : b - a)));
    }
  });

  it('combines filters with paging', async () => {
    const { ids, rows } = await pageAll('&subject=S07&q=Course');
    expect(ids).toHaveLength(1_000);
    expect(new Set(rows.map((r) => r.subject))).toEqual(new Set(['S07']));
  });
});
