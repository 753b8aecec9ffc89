// Value equality for JSON-like data that ignores object key order: values come back from jsonb
// with their keys reordered, and a reordered object is the same value, not a change. Equal as
// JSON is equal here: a key whose value is undefined is no key, and a Date is its ISO string.
// Compared in place rather than by serializing both sides: a merge compares every field of
// every record of a term.
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b || (a == null && b == null)) return true;
  return same(json(a), json(b));
}

const json = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON(): unknown }).toJSON()
    : value;

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Scalars are equal only when identical; only objects and arrays are compared member by member.
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // In an array, undefined is written as null.
    for (let i = 0; i < a.length; i++) if (!same(json(a[i] ?? null), json(b[i] ?? null))) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key) || x[key] === undefined) continue;
    keys++;
    if (!Object.hasOwn(y, key) || !same(json(x[key]), json(y[key]))) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key) && y[key] !== undefined) keys--;
  return keys === 0;
}
