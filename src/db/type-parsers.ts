// How both databases hand back values, so rows look the same on either (PostgreSQL's pool in
// src/db/database.ts, PGlite on its thread in src/db/pglite-thread.ts).
// OIDs: 1082 date, 1083 time, 1700 numeric, 20 int8. Dates stay calendar strings (no time-zone
// shift), numerics become numbers (credits, capacities), counts become numbers.
const passThrough = (value: string) => value;

export const typeParsers: Record<number, (value: string) => unknown> = {
  1082: passThrough,
  1083: passThrough,
  1700: Number,
  20: Number,
};
