// Cursor (keyset) pagination: the cursor names the last row seen, and the next page starts after
// that row's sort values, so paging stays fast and stable however deep it goes.
import { DomainError } from '../domain/errors.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

/** What a cursor may name: a row's uuid, or an audit entry's number. */
const CURSOR_SHAPES = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  int: /^\d{1,18}$/,
};

/** A cursor this API did not issue for this list: the client's mistake, named as a query field. */
export class CursorError extends DomainError {
  constructor(detail: string) {
    super(400, 'Invalid request', detail, { errors: [{ field: 'querystring.cursor', message: 'Invalid cursor' }] });
  }
}

/** The row a cursor names; anything else (forged, or from another list) is the client's mistake, a 400. */
export function decodeCursor(cursor: string, shape: keyof typeof CURSOR_SHAPES = 'uuid'): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof value.after === 'string' && CURSOR_SHAPES[shape].test(value.after)) return value.after;
  } catch {
    // fall through to the error below
  }
  throw new CursorError('The cursor is not one this API issued.');
}

/**
 * A page after a cursor starts after its row's sort values, read from that row: a row no longer
 * there (or of another list) would silently end the list. An empty page after a cursor is checked
 * for it (`exists`), so a client is told to start again instead of stopping early.
 */
export async function checkAnchor(page: { items: unknown[] }, cursor: string | undefined, exists: (id: string) => Promise<boolean>): Promise<void> {
  if (!cursor || page.items.length) return;
  if (!(await exists(decodeCursor(cursor))))
    throw new CursorError('The cursor names a row that is no longer in this list (deleted since, or from another list): start again from the first page.');
}

export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}
