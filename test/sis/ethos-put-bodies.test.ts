// What the Ethos connector PUTs back: an Ethos PUT replaces the whole resource, so each body is the
// representation the SIS returned with only the hub's own fields changed.
import { describe, expect, it } from 'vitest';
import type { SisMeeting, SisSectionInput } from '../../src/sis/model.ts';
import { eventToEthos, linkToEthos, sectionToEthos, type CodeTables } from '../../src/sis/ethos/mapping.ts';
import type { InstructionalEvent, Section, SectionInstructor } from '../../src/sis/ethos/wire.ts';

const tables: CodeTables = {
  code: (_table, id) => id,
  id: (table, code) => `${table}/${code}`,
  period: () => ({ termKey: 'fall', part: null, startOn: '2025-08-25', endOn: '2025-12-12' }),
  periodId: () => ({ id: 'fall', startOn: '2025-08-25', endOn: '2025-12-12' }),
  titleTypeId: 'short-title',
};
const ZONE = 'America/Chicago';

describe('an instructional event PUT', () => {
  const current: InstructionalEvent = {
    id: 'e1',
    title: 'Lecture',
    description: 'In the hall',
    section: { id: 's1' },
    instructionalMethod: { id: 'instructional-methods/LAB' },
    workLoad: 3,
    recurrence: {
      timePeriod: { startOn: '2025-08-25T09:00:00-05:00', endOn: '2025-12-12T09:50:00-06:00' },
      repeatRule: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'], ends: { date: '2025-12-12' } },
    },
    locations: [{ location: { type: 'site', site: { id: 'north' } } }, { location: { type: 'room', room: { id: 'r1' } } }],
    approvals: [{ approvalType: 'roomAvailability', approvalEntity: 'user' }],
  };
  const meeting: SisMeeting = { days: 'TR', startTime: '13:00', endTime: '14:15', startDate: '2025-08-26', endDate: '2025-12-11', roomKey: 'r2', weekInterval: 2 };

  it("replaces the method, times, days, interval, end date and room, and keeps the SIS's approvals, workload, title, description and site", () => {
    expect(eventToEthos(meeting, 's1', 'LEC', tables, ZONE, current)).toEqual({
      ...current,
      instructionalMethod: { id: 'instructional-methods/LEC' },
      recurrence: {
        timePeriod: { startOn: '2025-08-26T13:00:00-05:00', endOn: '2025-12-11T14:15:00-06:00' },
        repeatRule: { type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'thursday'], ends: { date: '2025-12-11' } },
      },
      locations: [{ location: { type: 'room', room: { id: 'r2' } } }, { location: { type: 'site', site: { id: 'north' } } }],
    });
  });

  it('leaves out the time period of a meeting without times, and the room of one without a room, keeping the site', () => {
    const body = eventToEthos({ ...meeting, startTime: null, endTime: null, roomKey: null }, 's1', 'LAB', tables, ZONE, current);
    expect(body.recurrence).toEqual({ repeatRule: expect.objectContaining({ daysOfWeek: ['tuesday', 'thursday'] }) });
    expect(body.locations).toEqual([{ location: { type: 'site', site: { id: 'north' } } }]);
    expect(body).toMatchObject({ approvals: current.approvals, workLoad: 3 });
  });

  it('posts a new event with the nil GUID and only what the hub holds', () => {
    expect(eventToEthos(meeting, 's1', 'LEC', tables, ZONE, null)).toEqual({
      id: '00000000-0000-0000-0000-000000000000',
      section: { id: 's1' },
      instructionalMethod: { id: 'instructional-methods/LEC' },
      recurrence: expect.objectContaining({ repeatRule: expect.objectContaining({ interval: 2 }) }),
      locations: [{ location: { type: 'room', room: { id: 'r2' } } }],
    });
  });
});

describe('a section-instructors PUT', () => {
  const current: SectionInstructor = {
    id: 'l1',
    instructor: { id: 'p1' },
    section: { id: 's1' },
    instructorRole: 'primary',
    instructionalEvents: [{ id: 'e1' }],
    responsibilityPercentage: 60,
    workLoad: 2.5,
    workStartOn: '2025-08-25',
    workEndOn: '2025-10-17',
  };

  it("changes only whether the instructor is primary, keeping the SIS's events, share, workload and dates", () => {
    const { instructorRole: _primary, ...secondary } = current;
    expect(linkToEthos('p1', 'secondary', 's1', current)).toEqual(secondary);
    expect(linkToEthos('p1', 'primary', 's1', secondary)).toEqual(current);
  });
});

describe('a section PUT', () => {
  const current: Section = {
    id: 's1',
    titles: [
      { type: { id: 'short-title' }, value: 'Biology' },
      { type: { id: 'long-title' }, value: 'Introduction to Biology' },
    ],
    startOn: '2025-08-25',
    endOn: '2025-12-12',
    number: '01',
    academicPeriod: { id: 'fall' },
    course: { id: 'c1' },
    credits: [],
    instructionalMethods: [{ id: 'instructional-methods/LEC' }],
    instructionalDeliveryMethod: { id: 'instructional-delivery-methods/in_person' },
    status: { category: 'closed', detail: { id: 'full' } },
    maxEnrollment: 30,
    waitlist: { eligible: 'eligible', status: 'open' },
  };
  const input: SisSectionInput = {
    termKey: 'fall',
    courseKey: 'c1',
    sectionNumber: '01',
    component: 'LEC',
    status: 'active',
    capacity: 35,
    instructionMode: 'in_person',
    campus: null,
    partOfTerm: null,
    title: 'Biology I',
    credits: null,
    meetings: [],
    instructors: [],
  };

  it("keeps the SIS's other titles, its status detail while the hub agrees it is not cancelled, and its waitlist", () => {
    expect(sectionToEthos(input, tables, current)).toEqual({
      ...current,
      titles: [{ type: { id: 'short-title' }, value: 'Biology I' }, current.titles[1]],
      maxEnrollment: 35,
    });
  });

  it('cancels with a status of its own', () => {
    expect(sectionToEthos({ ...input, status: 'cancelled' }, tables, current).status).toEqual({ category: 'cancelled' });
    const cancelled = { ...current, status: { category: 'cancelled' as const, detail: { id: 'low enrollment' } } };
    expect(sectionToEthos({ ...input, status: 'cancelled' }, tables, cancelled).status).toEqual(cancelled.status);
    expect(sectionToEthos(input, tables, cancelled).status).toEqual({ category: 'open' });
  });
});
