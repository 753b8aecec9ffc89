// PostgreSQL's `time` comes back as 'HH:MM:SS'; meetings speak 'HH:MM' everywhere else.
export const toClockTime = (time: string | null): string | null => (time === null ? null : time.slice(0, 5));
