// Seed specs: `csv:PATH` (a UIUC Course Explorer file) or `synthetic:N` (N sections per term).
import { readFileSync } from 'node:fs';
import type { Dataset } from '../src/sis/csv/dataset.ts';
import { parseUiucCsv } from '../src/sis/csv/uiuc.ts';
import { syntheticDataset } from './synthetic.ts';

export function datasetFromSeed(spec: string): Dataset {
  const [kind, ...rest] = spec.split(':');
  const arg = rest.join(':');
  if (kind === 'csv' && arg !== '') return parseUiucCsv(readFileSync(arg, 'utf8'));
  if (kind === 'synthetic' && /^\d+$/.test(arg) && Number(arg) > 0) return syntheticDataset(Number(arg));
  throw new Error(`seed must be csv:PATH or synthetic:N (N > 0), got "${spec}"`);
}
