// Offset-bearing date-times (Ethos) from local wall-clock times (our model) and back.

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

/** '2025-08-25T09:00:00-05:00' → local date and time as written (the zone's wall clock). */
export function splitLocal(dateTime: string): { date: string; time: string } {
  return { date: dateTime.slice(0, 10), time: dateTime.slice(11, 16) };
}
