// Value equality for JSON-like data that ignores object key order: values come back from jsonb
// with their keys reordered, and a reordered object is the same value, not a change.
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export const sameValue = (a: unknown, b: unknown): boolean => a === b || canonical(a) === canonical(b);
