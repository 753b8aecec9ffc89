// The digest PostgreSQL keeps of a stored jsonb value (`jsonb_digest(value)`: SHA-256 of its text, a
// generated column, see migration 0009), computed in JavaScript for a value not yet stored. jsonb prints a value in one
// canonical form — object keys by length, then byte by byte; ", " and ": " between items — so equal
// values print alike whatever their key order. A value this prints differently (an exotic number
// such as 1e-7, which jsonb writes out in full) gives a different digest: the merge then compares
// that record field by field, as it would without digests, so a mismatch costs time, never a change.
import { createHash } from 'node:crypto';

const utf8 = (key: string) => Buffer.from(key, 'utf8');

function byJsonbKeyOrder(a: string, b: string): number {
  const x = utf8(a);
  const y = utf8(b);
  return x.length - y.length || Buffer.compare(x, y);
}

// Records of one type share a handful of key sets: each set is sorted (and its keys quoted) once.
const orders = new Map<string, [key: string, quoted: string][]>();
function jsonbOrder(keys: string[]): [string, string][] {
  const shape = JSON.stringify(keys);
  let order = orders.get(shape);
  if (!order) {
    order = [...keys].sort(byJsonbKeyOrder).map((key) => [key, `${JSON.stringify(key)}: `]);
    if (orders.size < 1000) orders.set(shape, order);
  }
  return order;
}

/** A JSON value as PostgreSQL prints it as jsonb (undefined members dropped, as JSON.stringify does). */
export function jsonbText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ', ' : '') + (value[i] === undefined ? 'null' : jsonbText(value[i]));
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  let out = '';
  for (const [key, quoted] of jsonbOrder(Object.keys(object))) {
    const member = object[key];
    if (member === undefined) continue;
    out += (out ? ', ' : '') + quoted + jsonbText(member);
  }
  return `{${out}}`;
}

export const jsonbDigest = (value: unknown): string => createHash('sha256').update(jsonbText(value)).digest('hex');
