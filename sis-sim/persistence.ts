// The simulator's state on disk: one JSON snapshot, replaced atomically (write, then rename) so
// a crash mid-write leaves the previous snapshot whole.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SimState } from './state.ts';

const FILE = 'sis-sim-state.json';

export function loadSnapshot(dataDir: string): SimState | null {
  const file = path.join(dataDir, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SimState) : null;
}

export function saveSnapshot(dataDir: string, state: SimState): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
