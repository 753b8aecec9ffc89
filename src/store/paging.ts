// Cursor (keyset) pagination: the cursor names the last row seen, and the next page starts after
// that row's sort values, so paging stays fast and stable however deep it goes.
import { InvalidError } from '../domain/errors.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof value.after === 'string' && /^[0-9a-f-]{1,36}$/i.test(value.after)) return value.after;
  } catch {
    // fall through to the error below
  }
  throw new InvalidError('The cursor is not one this API issued.', [{ field: 'cursor', message: 'Invalid cursor' }]);
}

export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
