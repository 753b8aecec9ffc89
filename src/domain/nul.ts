// PostgreSQL cannot store the NUL character (U+0000) in text or jsonb: a value carrying one fails
// deep in a write (SQLSTATE 22021 / 22P05). Values are checked for it where they come in (the API's
// requests, the SIS's records) and refused naming the field.

const NUL = '\u0000';

export const NUL_MESSAGE = 'Must not contain the NUL character (\\u0000), which the database cannot store';

/** The dotted path of every string (or key) under `value` holding a NUL. */
export function nulFields(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes(NUL) ? [path || '(root)'] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    return key.includes(NUL) ? [at] : nulFields(child, at);
  });
}

/** `value` with each NUL written out as the six characters `\u0000`, so it can be kept as sent. */
export function escapeNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\\u0000') as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(escapeNul) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeNul(k), escapeNul(v)])) as T;
}
