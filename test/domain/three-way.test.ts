import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planMerge, type HubRecord } from '../../src/domain/merge-plan.ts';
import { baseWithSent, mergeRecord } from '../../src/domain/three-way.ts';

const sis = () => 'sis' as const;

describe('three-way merge of one record', () => {
  const base = { capacity: 30, title: 'Calculus', meetings: [{ days: 'MWF', roomKey: 'r1' }] };

  it('keeps the hub\'s change when the SIS did not change the field', () => {
    const m = mergeRecord(base, base, { ...base, capacity: 40 }, sis);
    expect(m).toMatchObject({ changes: [], conflicts: [], hubAhead: ['capacity'] });
    expect(m.merged.capacity).toBe(40);
  });

  it('takes the SIS\'s change when the hub did not change the field', () => {
    const m = mergeRecord(base, { ...base, title: 'Calculus I' }, base, sis);
    expect(m.changes).toEqual([{ field: 'title', before: 'Calculus', after: 'Calculus I', source: 'sis' }]);
  });

  it('converges silently when both made the same change', () => {
    const both = { ...base, capacity: 35 };
    expect(mergeRecord(base, both, both, sis)).toMatchObject({ changes: [], conflicts: [], hubAhead: [] });
  });

  it('lets the owner decide a real conflict, and blocks the record when nobody owns the field', () => {
    const theirs = { ...base, capacity: 31 };
    const ours = { ...base, capacity: 32 };
    expect(mergeRecord(base, theirs, ours, () => 'sis').merged.capacity).toBe(31);
    expect(mergeRecord(base, theirs, ours, () => 'hub')).toMatchObject({ merged: { capacity: 32 }, hubAhead: ['capacity'] });
    const blocked = mergeRecord(base, { ...theirs, title: 'New' }, ours, (f) => (f === 'capacity' ? 'none' : 'sis'));
    expect(blocked).toMatchObject({ blocked: true, changes: [], merged: ours });
    expect(blocked.conflicts).toEqual([{ field: 'capacity', base: 30, hub: 32, sis: 31, resolvedBy: 'none' }]);
  });

  it('sees no change in a value whose object keys came back reordered (jsonb)', () => {
    const reordered = { capacity: 30, title: 'Calculus', meetings: [{ roomKey: 'r1', days: 'MWF' }] };
    expect(mergeRecord(reordered, base, { ...base, capacity: 40 }, () => 'none')).toMatchObject({ conflicts: [], hubAhead: ['capacity'] });
  });

  it('never drops a field that differs: every one ends as a change, a hub-ahead field or a conflict', () => {
    const value = fc.oneof(fc.constant(1), fc.constant(2), fc.constant(3));
    fc.assert(
      fc.property(fc.record({ a: value, b: value, c: value }), fc.record({ a: value, b: value, c: value }), fc.record({ a: value, b: value, c: value }), (b, t, o) => {
        const m = mergeRecord(b, t, o, () => 'none');
        for (const field of ['a', 'b', 'c'] as const) {
          if (t[field] === o[field]) continue;
          const accounted =
            m.changes.some((c) => c.field === field) || m.hubAhead.includes(field) || m.conflicts.some((c) => c.field === field);
          expect(accounted || m.blocked).toBe(true);
        }
      }),
    );
  });
});

describe("the hub's last write, answer lost", () => {
  const base = { capacity: 30, title: 'Calculus' };
  // The hub sent title A; the SIS took it but the answer never came. Since then the hub has B.
  const sent = { capacity: 30, title: 'A' };
  const theirs = { capacity: 30, title: 'A' };
  const ours = { capacity: 30, title: 'B' };

  it('is not taken for a change made in the SIS, so a newer hub edit of a field the SIS owns survives', () => {
    expect(mergeRecord(base, theirs, ours, sis).merged.title).toBe('A'); // without it: B is lost
    const m = mergeRecord(baseWithSent(base, theirs, sent), theirs, ours, sis);
    expect(m).toMatchObject({ merged: { title: 'B' }, changes: [], conflicts: [], hubAhead: ['title'] });
  });

  it('leaves a real SIS change alone: only a field the SIS holds as sent counts as the hub\'s', () => {
    expect(baseWithSent(base, { capacity: 30, title: 'Changed in the SIS' }, sent)).toEqual(base);
    expect(baseWithSent(base, theirs, null)).toEqual(base);
    expect(baseWithSent(null, theirs, sent)).toBeNull();
  });

  it('is counted in by the merge plan too', () => {
    const hub: HubRecord = { id: 'h', sisKey: 'k', naturalKey: null, label: 'r', base, fields: ours, sisDeleted: false, override: null, postingEnabled: true, sent };
    const options = { owner: sis, deleteMissing: true, deletionThreshold: 0.1, allowEmpty: false, force: false, naturalKey: () => null };
    const plan = planMerge([{ sisKey: 'k', naturalKey: null, label: 'r', fields: theirs }], [hub], options);
    expect(plan).toMatchObject({ updates: [], conflicted: [], baseOnly: [{ merge: { merged: { title: 'B' } } }] });
  });
});

describe('merge plan guards', () => {
  const hubRecord = (i: number): HubRecord => ({
    id: `h${i}`,
    sisKey: `k${i}`,
    naturalKey: null,
    label: `r${i}`,
    base: { n: i },
    fields: { n: i },
    sisDeleted: false,
    override: null,
    postingEnabled: false,
  });
  const options = { owner: sis, deleteMissing: true, deletionThreshold: 0.1, allowEmpty: false, force: false, naturalKey: () => null };
  const hub = Array.from({ length: 20 }, (_, i) => hubRecord(i));
  const sisRecord = (i: number) => ({ sisKey: `k${i}`, naturalKey: null, label: `r${i}`, fields: { n: i } });

  it('refuses deleting more than the threshold unless forced', () => {
    const kept = hub.slice(3).map((_, i) => sisRecord(i + 3));
    expect(planMerge(kept, hub, options).refusal).toMatch(/3 of 20/);
    expect(planMerge(kept, hub, { ...options, force: true })).toMatchObject({ refusal: null, deletes: hub.slice(0, 3) });
    expect(planMerge(hub.slice(1).map((_, i) => sisRecord(i + 1)), hub, options).refusal).toBeNull(); // 1 of 20 = 5 %
  });

  it('neither deletes nor counts toward the threshold a record the hub posted after the SIS read began', () => {
    const kept = hub.slice(3).map((_, i) => sisRecord(i + 3));
    const plan = planMerge(kept, hub, { ...options, postedKeys: new Set(['k0', 'k1']) });
    expect(plan).toMatchObject({ refusal: null, deletes: [hub[2]] }); // 1 of 20 = 5 %
  });

  it('refuses an empty dataset where the hub has records unless allowed', () => {
    expect(planMerge([], hub, { ...options, force: true }).refusal).toMatch(/no records/);
    expect(planMerge([], hub, { ...options, force: true, allowEmpty: true }).deletes).toHaveLength(20);
  });

  it('counts records settled by digest as unchanged and synced: the threshold, deletions and duplicate codes still see them', () => {
    // 17 of 20 settled (read by digest, not in full); 2 read in full and still in the SIS; 1 gone.
    const settled = new Map(hub.slice(3).map((h) => [h.sisKey!, `code-${h.id}`]));
    const sisRecords = [...hub.slice(1).map((_, i) => sisRecord(i + 1)), { sisKey: 'new', naturalKey: null, label: 'dup', fields: { n: -1 } }];
    const plan = planMerge(sisRecords, hub.slice(0, 3), { ...options, settled, naturalKey: (f) => (f.n === -1 ? 'code-h7' : null) });
    expect(plan).toMatchObject({ refusal: null, deletes: [hub[0]], unchanged: 19, updates: [], creates: [] }); // 1 of 20 = 5 %
    expect(plan.collisions.map((c) => c.sisKey)).toEqual(['new']); // h7's code, though h7 was not read in full
    expect(planMerge(sisRecords.slice(2), hub.slice(0, 3), { ...options, settled }).refusal).toMatch(/3 of 20/);
  });

  it('is idempotent: the SIS state it was built from plans no write', () => {
    const plan = planMerge(hub.map((_, i) => sisRecord(i)), hub, options);
    expect(plan).toMatchObject({ creates: [], updates: [], baseOnly: [], deletes: [], unchanged: 20 });
  });
});
