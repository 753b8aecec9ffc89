import { expect, test } from 'vitest';
import { collectGarbage } from '../../src/sync/collect-garbage.ts';

test('collectGarbage frees what nothing refers to any more, at once', async () => {
  let term: { records: number[] } | null = { records: Array.from({ length: 100_000 }, (_, i) => i) };
  const ref = new WeakRef(term);
  term = null;
  // A WeakRef keeps its target until the job that made it ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  expect(ref.deref()).toBeUndefined();
});
