// When the nightly sync is due: at the configured local time in the institution's zone, every
// day, DST-correct (a time skipped by spring-forward runs at the first instant after the gap; a
// repeated time runs once, at its first occurrence). A night missed while no process was running
// is caught up once, not once per missed night. Pure.
import { addDays, instantToLocal, zonedToInstant } from './zoned-time.ts';

/** The instant the nightly of a local date is scheduled for. */
export function nightlyInstant(localDate: string, nightlyTime: string, timeZone: string): Date {
  return zonedToInstant(`${localDate}T${nightlyTime}`, timeZone);
}

/** The local date whose nightly should run now, or null when the latest one already ran. */
export function dueNightly(now: Date, timeZone: string, nightlyTime: string, lastRunDate: string | null): string | null {
  const today = instantToLocal(now, timeZone).slice(0, 10);
  const latest = now.getTime() >= nightlyInstant(today, nightlyTime, timeZone).getTime() ? today : addDays(today, -1);
  return lastRunDate === null || lastRunDate < latest ? latest : null;
}
