// Faults are reproducible: the same seed and rules give the same outcomes, request by request.
import { describe, expect, it } from 'vitest';
import { faultConfig, Faults, malform } from '../../sis-sim/faults.ts';

const outcomes = (seed: number) => {
  const faults = new Faults();
  faults.configure(faultConfig.parse({ seed, rules: [{ kind: 'server_error', rate: 0.3 }, { kind: 'rate_limit', rate: 0.2 }] }));
  return Array.from({ length: 200 }, () => faults.pick('GET', '/api/sections')?.kind ?? 'ok');
};

describe('fault injection', () => {
  it('is deterministic for a seed and roughly follows the rates', () => {
    const a = outcomes(42);
    expect(outcomes(42)).toEqual(a);
    expect(outcomes(43)).not.toEqual(a);
    const errors = a.filter((k) => k === 'server_error').length;
    expect(errors).toBeGreaterThan(40);
    expect(errors).toBeLessThan(80);
  });

  it('counts down limited rules and matches methods and paths', () => {
    const faults = new Faults();
    faults.configure(
      faultConfig.parse({ rules: [{ kind: 'lost_response', remaining: 2, pathPrefix: '/api/sections' }, { kind: 'reset', methods: ['DELETE'] }] }),
    );
    expect(faults.pick('GET', '/api/sections')).toBeNull(); // a lost response needs a write
    expect(faults.pick('POST', '/api/rooms')).toBeNull();
    expect(faults.pick('POST', '/api/sections')?.kind).toBe('lost_response');
    expect(faults.pick('PUT', '/api/sections/x')?.kind).toBe('lost_response');
    expect(faults.pick('POST', '/api/sections')).toBeNull();
    expect(faults.pick('DELETE', '/api/sections/x')?.kind).toBe('reset');
  });

  it('malforms the first record of a read, and only reads', () => {
    const faults = new Faults();
    faults.configure(faultConfig.parse({ rules: [{ kind: 'malformed_record', pathPrefix: '/api/sections', field: 'site.id', value: 42 }] }));
    expect(faults.pick('PUT', '/api/sections/x')).toBeNull();
    const rule = faults.pick('GET', '/api/sections')!;
    expect(JSON.parse(malform(JSON.stringify([{ id: 'a' }, { id: 'b' }]), rule))).toEqual([{ id: 'a', site: { id: 42 } }, { id: 'b' }]);
    expect(JSON.parse(malform(JSON.stringify({ id: 'a', site: { id: 'x' } }), rule))).toEqual({ id: 'a', site: { id: 42 } });
    expect(malform('[]', rule)).toBe('[]');
  });
});
