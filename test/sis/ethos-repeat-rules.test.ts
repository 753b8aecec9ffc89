// How the Ethos connector reads an instructional event's repeat rule: weekly every n weeks (1 to
// 52) is the hub's meeting; any other rule is refused by name, never read as weekly.
import { describe, expect, it } from 'vitest';
import { meetingFromEvent } from '../../src/sis/ethos/mapping.ts';
import type { InstructionalEvent, RepeatRule, Section } from '../../src/sis/ethos/wire.ts';

const section = { id: 's1', startOn: '2025-08-25', endOn: '2025-12-12' } as Section;
const event = (repeatRule: RepeatRule): InstructionalEvent => ({
  id: 'e1',
  section: { id: 's1' },
  recurrence: { timePeriod: { startOn: '2025-08-28T14:00:00-05:00', endOn: '2025-12-11T16:50:00-06:00' }, repeatRule },
});
const read = (rule: RepeatRule) => meetingFromEvent(event(rule), section, 'America/Chicago', 1);
function refusal(rule: RepeatRule): unknown {
  try {
    read(rule);
  } catch (error) {
    return error;
  }
  throw new Error('read, not refused');
}

describe('an Ethos repeat rule read as a meeting', () => {
  it('reads weekly every n weeks as weekInterval n, and a rule without an interval as every week', () => {
    expect(read({ type: 'weekly', interval: 2, daysOfWeek: ['thursday'], ends: { date: '2025-12-11' } })).toEqual({
      days: 'R',
      startTime: '14:00',
      endTime: '16:50',
      startDate: '2025-08-28',
      endDate: '2025-12-11',
      roomKey: null,
      weekInterval: 2,
    });
    expect(read({ type: 'weekly', daysOfWeek: ['monday'] }).weekInterval).toBe(1);
    expect(read({ type: 'weekly', interval: 52, daysOfWeek: ['monday'] }).weekInterval).toBe(52);
  });

  it('refuses, naming the meeting, the event and the rule, what the hub cannot hold', () => {
    const refusals: [RepeatRule, string][] = [
      [{ type: 'monthly', interval: 1, repeatBy: { dayOfMonth: 15 } }, 'repeats every month'],
      [{ type: 'yearly', interval: 1 }, 'repeats every year'],
      [{ type: 'daily', interval: 1 }, 'repeats every day'],
      [{ type: 'daily', interval: 3 }, 'repeats every 3 days'],
      [{ type: 'weekly', interval: 53, daysOfWeek: ['monday'] }, 'repeats every 53 weeks'],
      [{ type: 'weekly', interval: 0, daysOfWeek: ['monday'] }, 'repeats every 0 weeks'],
      [{ type: 'weekly', interval: 1, daysOfWeek: ['monday'], ends: { repetitions: 10 } }, 'ends after 10 repetitions, not on a date'],
      [{ type: 'hourly', interval: 1 }, 'repeats by a rule of type "hourly"'],
    ];
    for (const [rule, words] of refusals)
      expect(refusal(rule), JSON.stringify(rule)).toMatchObject({
        code: 'validation',
        field: 'meetings.1',
        message: expect.stringContaining(`meeting 2 (instructional event e1) ${words} (the SIS's repeatRule: ${JSON.stringify(rule)})`),
      });
  });

  it('reads a rule that ends on a date, its repetitions counted too, by its date', () => {
    expect(read({ type: 'weekly', interval: 1, daysOfWeek: ['monday'], ends: { date: '2025-12-08', repetitions: 15 } }).endDate).toBe('2025-12-08');
  });
});
