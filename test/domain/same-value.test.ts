import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameValue } from '../../src/domain/same-value.ts';

// The definition sameValue keeps: equal as JSON once every object's keys are sorted.
const sortedJson = (value: unknown) =>
  JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffled(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v], i) => [k, shuffled(v, seed + i)] as const);
  return Object.fromEntries(seed % 2 ? entries.reverse() : entries);
}

// A small domain, so that generated pairs are often equal, and with the cases JSON treats specially.
const small: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, 0, 1, '', 'a', true, false, new Date('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000Z'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('sameValue', () => {
  it('agrees with comparing key-sorted JSON', () => {
    fc.assert(fc.property(small, small, (a, b) => sameValue(a, b) === (sortedJson(a) === sortedJson(b))), { numRuns: 2000 });
  });

  it('ignores the order of object keys at any depth', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.nat(), (value, seed) => sameValue(value, shuffled(value, seed))));
  });

  it('tells apart what a merge must not confuse', () => {
    expect(sameValue({ capacity: 30 }, { capacity: '30' })).toBe(false);
    expect(sameValue({ roomKey: null }, {})).toBe(false);
    expect(sameValue([{ days: 'MW' }], [{ days: 'MW' }, { days: 'F' }])).toBe(false);
    expect(sameValue({ a: undefined, b: 1 }, { b: 1 })).toBe(true);
  });
});
