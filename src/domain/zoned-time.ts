// Wall-clock times in an IANA time zone ↔ instants, with Intl only: phases, the nightly
// schedule and rollover all speak the institution's local time. Pure.

export const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;

// Constructing an Intl.DateTimeFormat is costly and settings are validated on every save that may
// post: the answers are remembered (the set of zones a runtime knows does not change).
const knownZones = new Map<string, boolean>();

/** Whether `name` is an IANA time zone this runtime knows (offsets like "+05:00" are refused). */
export function isTimeZone(name: string): boolean {
  const known = knownZones.get(name);
  if (known !== undefined) return known;
  let answer = false;
  if (/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      answer = true;
    } catch {
      answer = false;
    }
  }
  if (knownZones.size < 1000) knownZones.set(name, answer);
  return answer;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(epochMs: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The zone's offset from UTC at an instant, in milliseconds (UTC−6 → −21 600 000). */
export function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time 'YYYY-MM-DDTHH:MM' names in a zone. Like Temporal's
 * 'compatible' disambiguation: a time repeated when clocks fall back is its first occurrence; a
 * time skipped when clocks spring forward moves forward by the gap (02:30 → 03:30).
 */
export function zonedToInstant(local: string, timeZone: string): Date {
  const m = LOCAL_DATE_TIME.exec(local);
  if (!m) throw new RangeError(`Not a local date-time YYYY-MM-DDTHH:MM: ${local}`);
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const day = 86_400_000;
  const before = offsetAt(wall - day, timeZone);
  const after = offsetAt(wall + day, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (candidates.length) return new Date(Math.min(...candidates));
  return new Date(wall - before); // in a gap: read it with the offset in force before the gap
}

/** The wall-clock time 'YYYY-MM-DDTHH:MM' of an instant in a zone. */
export function instantToLocal(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
}

/** A calendar date plus whole days, 'YYYY-MM-DD'. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
