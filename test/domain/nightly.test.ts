import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueNightly, nightlyInstant } from '../../src/domain/nightly.ts';

const at = (iso: string) => new Date(iso);
const CHICAGO = 'America/Chicago';

describe('the nightly schedule', () => {
  it('fires at the local time, not before', () => {
    expect(dueNightly(at('2026-03-09T06:59:59Z'), CHICAGO, '02:00', '2026-03-08')).toBeNull(); // 01:59 CDT
    expect(dueNightly(at('2026-03-09T07:00:00Z'), CHICAGO, '02:00', '2026-03-08')).toBe('2026-03-09'); // 02:00 CDT
  });

  it('on the spring-forward night runs at the first instant after the skipped hour', () => {
    expect(nightlyInstant('2026-03-08', '02:30', CHICAGO).toISOString()).toBe('2026-03-08T08:30:00.000Z'); // 03:30 CDT
    expect(dueNightly(at('2026-03-08T07:59:59Z'), CHICAGO, '02:30', '2026-03-07')).toBeNull(); // 01:59 CST
    expect(dueNightly(at('2026-03-08T08:30:00Z'), CHICAGO, '02:30', '2026-03-07')).toBe('2026-03-08');
  });

  it('on the fall-back night runs once, at the first of the repeated times', () => {
    expect(nightlyInstant('2026-11-01', '01:30', CHICAGO).toISOString()).toBe('2026-11-01T06:30:00.000Z'); // 01:30 CDT
    expect(dueNightly(at('2026-11-01T06:30:00Z'), CHICAGO, '01:30', '2026-10-31')).toBe('2026-11-01');
    expect(dueNightly(at('2026-11-01T07:30:00Z'), CHICAGO, '01:30', '2026-11-01')).toBeNull(); // 01:30 CST, again
  });

  it('catches up a missed night once, not once per missed night', () => {
    expect(dueNightly(at('2026-03-05T18:00:00Z'), CHICAGO, '02:00', '2026-03-01')).toBe('2026-03-05');
    expect(dueNightly(at('2026-03-05T18:00:00Z'), CHICAGO, '02:00', '2026-03-05')).toBeNull();
  });

  it('never runs the same local date twice, whatever the clock says', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-12-31') }), fc.constantFrom(CHICAGO, 'Europe/London', 'Australia/Sydney', 'UTC'), (ms, zone) => {
        const now = new Date(ms);
        const due = dueNightly(now, zone, '02:00', null);
        expect(due).not.toBeNull();
        expect(dueNightly(now, zone, '02:00', due)).toBeNull();
        expect(nightlyInstant(due!, '02:00', zone).getTime()).toBeLessThanOrEqual(ms);
      }),
    );
  });
});
