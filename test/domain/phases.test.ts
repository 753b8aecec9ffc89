import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideWrite,
  effectiveRules,
  findOverlap,
  phaseAt,
  phaseCreate,
  phaseTemplateWrite,
  type PhaseDef,
  type RoleRule,
  type RuleContext,
} from '../../src/domain/phases.ts';
import { instantToLocal, isTimeZone, zonedToInstant } from '../../src/domain/zoned-time.ts';
import { PERMISSIONS, SEEDED_ROLES, type Permission } from '../../src/domain/permissions.ts';
import { SECTION_FIELDS, type SectionField } from '../../src/domain/schedule.ts';

const CHICAGO = 'America/Chicago';
const REGISTRAR = 'role-registrar';
const SCHEDULER = 'role-scheduler';
const perms = (name: string) => new Set(SEEDED_ROLES.find((r) => r.name === name)!.permissions);
const registrarPerms = perms('Registrar');
const schedulerPerms = new Set<Permission>([...perms('Scheduler'), 'sections.create', 'relationships.edit']);

const rule = (roleId: string, editableFields: RoleRule['editableFields'], more: Partial<RoleRule> = {}): RoleRule => ({
  roleId,
  editableFields,
  mayCreate: false,
  mayCancel: false,
  mayDelete: false,
  mayEditRelationships: false,
  ...more,
});
const ALL_OF = (roleId: string) => rule(roleId, 'all', { mayCreate: true, mayCancel: true, mayDelete: true, mayEditRelationships: true });

// The Colorado Mesa cycle, shortened: Planning, a room-assignment lock, then the term itself.
const phases: PhaseDef[] = [
  { id: 'p1', name: 'Planning', startsAt: '2026-02-01T00:00', endsAt: '2026-03-09T00:00', rules: [ALL_OF(REGISTRAR), rule(SCHEDULER, 'all', { mayCreate: true, mayEditRelationships: true })] },
  {
    id: 'p2',
    name: 'Room Assignment',
    startsAt: '2026-03-09T00:00',
    endsAt: '2026-03-16T00:00',
    rules: [ALL_OF(REGISTRAR), rule(SCHEDULER, SECTION_FIELDS.filter((f) => f !== 'rooms'))],
  },
  { id: 'p3', name: 'Term', startsAt: '2026-08-24T00:00', endsAt: '2026-12-19T00:00', rules: [ALL_OF(REGISTRAR)] },
];

const ctx = (over: Partial<RuleContext>): RuleContext => ({
  phases,
  defaults: null,
  roleId: SCHEDULER,
  permissions: schedulerPerms,
  now: new Date('2026-02-10T15:00:00Z'),
  timeZone: CHICAGO,
  ...over,
});

describe('time zones', () => {
  it('reads wall-clock times in the zone, on both sides of a DST change', () => {
    expect(zonedToInstant('2026-03-01T00:00', CHICAGO).toISOString()).toBe('2026-03-01T06:00:00.000Z'); // CST, UTC−6
    expect(zonedToInstant('2026-03-09T00:00', CHICAGO).toISOString()).toBe('2026-03-09T05:00:00.000Z'); // CDT, UTC−5
    expect(zonedToInstant('2026-03-09T00:00', 'UTC').toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(zonedToInstant('2026-03-09T00:00', 'Asia/Kolkata').toISOString()).toBe('2026-03-08T18:30:00.000Z');
  });

  it('moves a skipped time forward and takes the first of a repeated one', () => {
    expect(zonedToInstant('2026-03-08T02:30', CHICAGO).toISOString()).toBe('2026-03-08T08:30:00.000Z'); // = 03:30 CDT
    expect(instantToLocal(zonedToInstant('2026-03-08T02:30', CHICAGO), CHICAGO)).toBe('2026-03-08T03:30');
    expect(zonedToInstant('2026-11-01T01:30', CHICAGO).toISOString()).toBe('2026-11-01T06:30:00.000Z'); // CDT, not CST
  });

  it('knows IANA names and refuses others', () => {
    expect(isTimeZone('America/Chicago')).toBe(true);
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('+05:00')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('round-trips every instant through its wall-clock time (property)', () => {
    const zones = ['America/Chicago', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'America/Sao_Paulo'];
    const minute = 60_000;
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1) / minute, max: Date.UTC(2035, 0, 1) / minute }), fc.constantFrom(...zones), (m, zone) => {
        const instant = new Date(m * minute);
        const local = instantToLocal(instant, zone);
        const back = zonedToInstant(local, zone);
        // Same instant, or — for a time repeated when clocks fall back — its first occurrence.
        expect(instantToLocal(back, zone)).toBe(local);
        expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
        expect(instant.getTime() - back.getTime()).toBeLessThanOrEqual(60 * minute);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the phase in force', () => {
  it('switches exactly at the boundary in the institution time zone', () => {
    // Room Assignment starts 2026-03-09 00:00 in Chicago — after the DST change: 05:00Z, not 06:00Z.
    expect(phaseAt(phases, new Date('2026-03-09T04:59:59.999Z'), CHICAGO)?.name).toBe('Planning');
    expect(phaseAt(phases, new Date('2026-03-09T05:00:00.000Z'), CHICAGO)?.name).toBe('Room Assignment');
    // Planning starts 2026-02-01 00:00 CST = 06:00Z.
    expect(phaseAt(phases, new Date('2026-02-01T05:59:59.999Z'), CHICAGO)).toBeNull();
    expect(phaseAt(phases, new Date('2026-02-01T06:00:00.000Z'), CHICAGO)?.name).toBe('Planning');
    // The same wall-clock boundary in another zone is another instant.
    expect(phaseAt(phases, new Date('2026-03-09T04:00:00.000Z'), 'America/New_York')?.name).toBe('Room Assignment');
  });

  it('finds overlaps of half-open windows; touching windows do not overlap', () => {
    expect(findOverlap(phases, { startsAt: '2026-03-15T00:00', endsAt: '2026-03-20T00:00' })?.name).toBe('Room Assignment');
    expect(findOverlap(phases, { startsAt: '2026-03-16T00:00', endsAt: '2026-08-24T00:00' })).toBeUndefined();
    expect(findOverlap(phases, { startsAt: '2026-03-10T00:00', endsAt: '2026-03-11T00:00' }, 'p2')).toBeUndefined();
  });

  it('is at most one phase, the one containing now, for any non-overlapping phases (property)', () => {
    const day = 86_400_000;
    const windows = fc
      .uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 0, maxLength: 12 })
      .map((days) => days.sort((a, b) => a - b))
      .map((days) => {
        const list: PhaseDef[] = [];
        for (let i = 0; i + 1 < days.length; i += 2) {
          const at = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * day).toISOString().slice(0, 16);
          list.push({ id: `p${i}`, name: `P${i}`, startsAt: at(days[i]), endsAt: at(days[i + 1]), rules: [] });
        }
        return list;
      });
    fc.assert(
      fc.property(windows, fc.integer({ min: -2, max: 402 * 24 }), fc.constantFrom('UTC', CHICAGO), (list, hour, zone) => {
        const now = new Date(zonedToInstant('2026-01-01T00:00', zone).getTime() + hour * 3_600_000);
        const containing = list.filter(
          (p) => zonedToInstant(p.startsAt, zone) <= now && now < zonedToInstant(p.endsAt, zone),
        );
        expect(containing.length).toBeLessThanOrEqual(1);
        expect(phaseAt(list, now, zone)?.id ?? null).toBe(containing[0]?.id ?? null);
        for (const p of list) expect(findOverlap(list, p, p.id)).toBeUndefined();
      }),
    );
  });
});

describe('decideWrite', () => {
  const planning = new Date('2026-02-10T15:00:00Z');
  const roomLock = new Date('2026-03-10T15:00:00Z');
  const termRuns = new Date('2026-09-01T15:00:00Z');
  const between = new Date('2026-05-01T15:00:00Z');

  it('lets a scheduler edit rooms during Planning but not during the room-assignment lock', () => {
    expect(decideWrite(ctx({ now: planning }), { action: 'edit', fields: ['rooms', 'capacity'] })).toMatchObject({ allowed: true, bypassed: null });
    expect(decideWrite(ctx({ now: roomLock }), { action: 'edit', fields: ['rooms', 'capacity'] })).toMatchObject({
      allowed: false,
      reason: 'phase',
      phase: { name: 'Room Assignment' },
      lockedFields: ['rooms'],
    });
    expect(decideWrite(ctx({ now: roomLock }), { action: 'edit', fields: ['capacity', 'meetingPatterns'] }).allowed).toBe(true);
    expect(decideWrite(ctx({ now: roomLock }), { action: 'create', fields: [] })).toMatchObject({ allowed: false, action: 'create', lockedFields: [] });
  });

  it('after the term starts only the registrar changes anything', () => {
    for (const action of ['edit', 'create', 'cancel', 'delete', 'editRelationships'] as const) {
      const fields: SectionField[] = action === 'edit' ? ['capacity'] : [];
      const asScheduler = decideWrite(ctx({ now: termRuns, permissions: new Set([...schedulerPerms, ...registrarPerms].filter((p) => p !== 'phases.bypass')) }), { action, fields });
      expect(asScheduler).toMatchObject({ allowed: false, reason: 'phase', phase: { name: 'Term' } });
      expect(decideWrite(ctx({ now: termRuns, roleId: REGISTRAR, permissions: registrarPerms }), { action, fields })).toMatchObject({ allowed: true, bypassed: null });
    }
  });

  it("outside every phase applies the term's defaults, else the role's own permissions", () => {
    expect(decideWrite(ctx({ now: between }), { action: 'edit', fields: ['rooms'] }).allowed).toBe(true);
    expect(decideWrite(ctx({ now: between }), { action: 'cancel', fields: [] })).toMatchObject({ allowed: false, reason: 'permission', permission: 'sections.cancel' });
    const defaults = [rule(SCHEDULER, ['capacity'])];
    expect(decideWrite(ctx({ now: between, defaults }), { action: 'edit', fields: ['rooms', 'capacity'] })).toMatchObject({ allowed: false, phase: null, lockedFields: ['rooms'] });
    expect(effectiveRules(ctx({ now: between, defaults })).source).toBe('termDefaults');
    expect(effectiveRules(ctx({ now: between })).source).toBe('role');
  });

  it('never widens a role: a phase cannot grant a permission the role lacks', () => {
    const noCreate = new Set<Permission>(['sections.view', 'sections.edit']);
    expect(decideWrite(ctx({ now: planning, permissions: noCreate }), { action: 'create', fields: [] })).toMatchObject({ allowed: false, reason: 'permission' });
    expect(effectiveRules(ctx({ now: planning, permissions: noCreate })).mayCreate).toBe(false);
  });

  it('lets phases.bypass through, naming what it bypassed, but not a missing permission', () => {
    const bypasser = new Set<Permission>([...schedulerPerms, 'phases.bypass']);
    expect(decideWrite(ctx({ now: roomLock, permissions: bypasser }), { action: 'edit', fields: ['rooms'] })).toMatchObject({
      allowed: true,
      bypassed: { phase: 'Room Assignment', lockedFields: ['rooms'], action: 'edit' },
    });
    expect(decideWrite(ctx({ now: roomLock, permissions: bypasser }), { action: 'delete', fields: [] })).toMatchObject({ allowed: false, reason: 'permission' });
  });

  const arbitraryRule = fc.record({
    editableFields: fc.oneof(fc.constant('all' as const), fc.subarray([...SECTION_FIELDS])),
    mayCreate: fc.boolean(),
    mayCancel: fc.boolean(),
    mayDelete: fc.boolean(),
    mayEditRelationships: fc.boolean(),
  });
  const arbitraryCase = fc.record({
    rule: fc.option(arbitraryRule, { nil: null }),
    inPhase: fc.boolean(),
    permissions: fc.subarray([...PERMISSIONS]),
    action: fc.constantFrom('create', 'edit', 'cancel', 'delete', 'editRelationships' as const),
    fields: fc.subarray([...SECTION_FIELDS], { minLength: 1 }),
  });
  type Case = typeof arbitraryCase extends fc.Arbitrary<infer T> ? T : never;
  const run = (c: Case, fields = c.fields, extra: Permission[] = []) => {
    const rules = c.rule ? [{ roleId: SCHEDULER, ...c.rule }] : [];
    return decideWrite(
      ctx({
        phases: [{ id: 'x', name: 'X', startsAt: '2026-01-01T00:00', endsAt: '2027-01-01T00:00', rules }],
        now: c.inPhase ? planning : new Date('2028-01-01T00:00:00Z'),
        defaults: c.inPhase ? null : rules,
        permissions: new Set([...c.permissions, ...extra]),
      }),
      { action: c.action, fields },
    );
  };

  it('refuses exactly the fields the rules lock, and only those (property)', () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const d = run(c);
        const has = (p: Permission) => c.permissions.includes(p);
        const need: Record<string, Permission> = { create: 'sections.create', edit: 'sections.edit', cancel: 'sections.cancel', delete: 'sections.delete', editRelationships: 'relationships.edit' };
        if (!has(need[c.action])) {
          expect(d).toMatchObject({ allowed: false, reason: 'permission' });
          return;
        }
        const r = c.rule;
        let allowedByRules: boolean;
        let locked: SectionField[] = [];
        if (c.action === 'edit') {
          locked = c.fields.filter((f) => !r || (r.editableFields !== 'all' && !r.editableFields.includes(f)));
          allowedByRules = locked.length === 0;
        } else {
          const flag = { create: 'mayCreate', cancel: 'mayCancel', delete: 'mayDelete', editRelationships: 'mayEditRelationships' }[c.action] as 'mayCreate';
          allowedByRules = !!r?.[flag];
        }
        if (allowedByRules) expect(d).toMatchObject({ allowed: true, bypassed: null });
        else if (has('phases.bypass')) expect(d).toMatchObject({ allowed: true, bypassed: { lockedFields: locked } });
        else expect(d).toMatchObject({ allowed: false, reason: 'phase', lockedFields: locked });
      }),
      { numRuns: 1000 },
    );
  });

  it('is monotone: what a larger edit may change, any part of it may (property)', () => {
    fc.assert(
      fc.property(arbitraryCase, fc.nat(), (c, seed) => {
        const part = c.fields.filter((_, i) => (seed >> i) & 1);
        if (!part.length) return;
        if (run(c).allowed) expect(run(c, part).allowed).toBe(true);
        // and phases.bypass only ever turns refusals by the rules into allowed writes
        const withBypass = run(c, c.fields, ['phases.bypass']);
        const without = run(c);
        if (without.allowed || without.reason === 'phase') expect(withBypass.allowed).toBe(true);
        else expect(withBypass).toEqual(without);
      }),
      { numRuns: 500 },
    );
  });
});

describe('phase shapes', () => {
  it('refuses a phase ending before it starts, unknown fields and impossible dates', () => {
    const r = phaseCreate.safeParse({ name: 'X', startsAt: '2026-03-10T00:00', endsAt: '2026-03-01T00:00', colour: 'red' });
    expect(r.success).toBe(false);
    expect(phaseCreate.safeParse({ name: 'X', startsAt: '2026-02-30T00:00', endsAt: '2026-03-01T00:00' }).success).toBe(false);
    expect(phaseCreate.safeParse({ name: 'X', startsAt: '2026-02-01T00:00', endsAt: '2026-03-01T00:00', rules: [{ roleId: crypto.randomUUID(), editableFields: ['colour'] }] }).success).toBe(false);
    expect(phaseCreate.safeParse({ name: 'X', startsAt: '2026-02-01T00:00', endsAt: '2026-03-01T00:00', mergeSettings: { realTime: false } }).success).toBe(true);
    expect(phaseCreate.safeParse({ name: 'X', startsAt: '2026-02-01T00:00', endsAt: '2026-03-01T00:00', mergeSettings: { realTime: 'no' } }).success).toBe(false);
  });

  it('refuses a template whose phases overlap', () => {
    const r = phaseTemplateWrite.safeParse({
      name: 'Fall',
      phases: [
        { name: 'Planning', startDay: -200, endDay: -160 },
        { name: 'Lock', startDay: -161, endDay: -150 },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['phases', 1, 'startDay'], message: 'Overlaps phase "Planning"' });
  });
});
