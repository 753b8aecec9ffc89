// Deterministic identity: the same natural key always gives the same GUID (UUIDv5, RFC 9562),
// so a restarted or re-seeded simulator is the same SIS to its clients.
import { createHash } from 'node:crypto';

const NAMESPACE = Buffer.from('6f1c2b7e4d3a4f0a9b8c7d6e5f4a3b2c', 'hex');
export const NIL_GUID = '00000000-0000-0000-0000-000000000000';

export function guidFor(naturalKey: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(naturalKey).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** mulberry32: small, fast, good enough for fault injection and synthetic data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashSeed(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}
