// Which trigger posts and which nightly merges a term, with and without its phase's overrides; who owns a field the SIS alone maintains.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMergeSettings, fieldOwner, nightlyMerges, postingOn, type MergeSettings } from '../../src/domain/merge-settings.ts';
import { describeOverrides, overridesAt, type PhaseMergeSettings } from '../../src/domain/phases.ts';

const TRIGGERS = ['real_time', 'nightly', 'manual'] as const;

/** Sections and relationships enabled for 2026-fa, with real-time and nightly as given. */
function settings(realTime: boolean, nightly: boolean): MergeSettings {
  const s = structuredClone(defaultMergeSettings());
  for (const type of ['courses', 'sections', 'relationships'] as const) s.types[type] = { ...s.types[type], enabledTerms: ['2026-fa'], realTime, nightly };
  return s;
}

const overrides: fc.Arbitrary<PhaseMergeSettings> = fc.record(
  {
    realTime: fc.boolean(),
    nightly: fc.boolean(),
    sendUpdates: fc.boolean(),
    mergeTypes: fc.subarray(['courses', 'sections', 'relationships'] as const),
  },
  { requiredKeys: [] },
);

describe("a phase's overrides", () => {
  it('never hold back an admin\'s own Send Updates or retry, and change nothing when empty', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), overrides, fc.constantFrom(...TRIGGERS), (realTime, nightly, phase, trigger) => {
        const s = settings(realTime, nightly);
        expect(postingOn(s, 'sections', '2026-fa', 'manual', phase)).toBe(postingOn(s, 'sections', '2026-fa', 'manual'));
        expect(postingOn(s, 'sections', '2026-fa', trigger, {})).toBe(postingOn(s, 'sections', '2026-fa', trigger));
      }),
    );
  });

  it('decide real-time posting and the nightly for their term only', () => {
    const s = settings(true, true);
    expect(postingOn(s, 'sections', '2026-fa', 'real_time', { realTime: false })).toBe(false);
    expect(postingOn(s, 'sections', '2026-fa', 'nightly', { realTime: false })).toBe(true);
    expect(postingOn(s, 'sections', '2026-fa', 'nightly', { sendUpdates: false })).toBe(false);
    expect(postingOn(settings(false, false), 'sections', '2026-fa', 'real_time', { realTime: true })).toBe(true);
    // A term the merge settings do not enable stays off, whatever its phase says.
    expect(postingOn(s, 'sections', '2025-su', 'real_time', { realTime: true })).toBe(false);
  });

  it('let only the types they list sync for the term', () => {
    const s = settings(true, true);
    const phase = { mergeTypes: ['courses' as const] };
    expect(postingOn(s, 'sections', '2026-fa', 'real_time', phase)).toBe(false);
    expect(postingOn(s, 'relationships', '2026-fa', 'nightly', phase)).toBe(false);
    expect(nightlyMerges(s, 'sections', '2026-fa', phase)).toBe(false);
    expect(nightlyMerges(s, 'courses', '2026-fa', phase)).toBe(true);
    expect(nightlyMerges(settings(true, false), 'courses', '2026-fa', { nightly: true })).toBe(true);
  });

  it('hold from the start of their phase, inclusive, to its end, exclusive, in the institution time zone', () => {
    const phases = [{ termCode: '2026-fa', name: 'Room Assignment', startsAt: '2026-03-08T00:00', endsAt: '2026-03-09T00:00', mergeSettings: { realTime: false } }];
    const at = (iso: string) => overridesAt(phases, new Date(iso), 'America/Chicago').get('2026-fa') ?? null;
    expect(at('2026-03-08T05:59:59Z')).toBeNull(); // 23:59:59 CST on the 7th
    expect(at('2026-03-08T06:00:00Z')).toEqual({ realTime: false });
    expect(at('2026-03-09T04:59:59Z')).toEqual({ realTime: false }); // 23:59:59 CDT, after the spring-forward
    expect(at('2026-03-09T05:00:00Z')).toBeNull();
  });

  it('read as words in the merge settings\' warnings', () => {
    expect(describeOverrides({ realTime: false, nightly: true, sendUpdates: false, mergeTypes: ['sections', 'relationships'] })).toBe(
      'real-time posting off, nightly sync on, the nightly sends no updates, only sections and relationships sync',
    );
    expect(describeOverrides({ mergeTypes: [] })).toBe('no term type syncs');
  });
});

describe('fields the SIS alone maintains', () => {
  it("are the SIS's whoever the settings or the record name, so a section the hub made is linked, not blocked, by the number the SIS gave it", () => {
    const s = structuredClone(defaultMergeSettings());
    s.types.sections.sourceOfTruth = 'none';
    for (const field of ['enrolled', 'sisNumber'])
      for (const recordOverride of [null, 'hub', 'none'] as const)
        expect(fieldOwner(s, 'sections', field, { recordOverride, postingEnabled: true }), `${field} ${recordOverride}`).toBe('sis');
    expect(fieldOwner(s, 'sections', 'title', { postingEnabled: true })).toBe('none');
  });
});
