// Offset-bearing date-times (Ethos) from local wall-clock times (our model) and back.
import { instantToLocal } from '../domain/zoned-time.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset of a local wall-clock time in an IANA zone, as '+HH:MM'. */
export function utcOffset(date: string, time: string, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, format);
  }
  const formatter = format;
  // Probe at the wall-clock instant read as UTC, then once more at the corrected instant, so a
  // time just after a DST change gets the offset in force at that local time.
  const offsetAt = (instant: number): string => {
    const name = formatter
      .formatToParts(new Date(instant))
      .find((p) => p.type === 'timeZoneName')?.value;
    return /GMT([+-]\d{2}:\d{2})/.exec(name ?? '')?.[1] ?? '+00:00';
  };
  const local = Date.parse(`${date}T${time}:00Z`);
  const minutes = (offset: string) => (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const first = offsetAt(local);
  return offsetAt(local - minutes(first) * 60_000);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The local date and time in `timeZone` of the instant a date-time names: '2025-08-25T19:00:00Z'
 * in America/Chicago → 2025-08-25 14:00. A SIS may send any offset (UTC, or its own zone's), so
 * the offset is honoured rather than the digits taken as written; a date-time without one is
 * already the zone's wall clock.
 */
export function localDateTime(dateTime: string, timeZone: string): { date: string; time: string } {
  const m = DATE_TIME.exec(dateTime);
  if (!m) throw new Error(`"${dateTime}" is not a date-time (YYYY-MM-DDTHH:MM:SS with an optional offset)`);
  const [, year, month, day, hour, minute, second, offset] = m;
  if (!offset) return { date: `${year}-${month}-${day}`, time: `${hour}:${minute}` };
  const offsetMinutes =
    offset.toUpperCase() === 'Z' ? 0 : (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
  const instant = Date.UTC(+year, +month - 1, +day, +hour, +minute, +(second ?? 0)) - offsetMinutes * 60_000;
  const local = instantToLocal(new Date(instant), timeZone);
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}
