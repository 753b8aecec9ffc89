// `npm run bench [-- name…]`: runs the named benchmarks (all by default) and prints what each
// measured in this run. Numbers are comparisons within one run, never thresholds in tests.
import { merge } from './merge.ts';
import { paging } from './paging.ts';
import { push } from './push.ts';

const benchmarks: Record<string, () => Promise<void>> = { merge, paging, push };

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(1);
}
for (const name of wanted.length ? wanted : Object.keys(benchmarks)) {
  console.log(`\n## ${name}`);
  await benchmarks[name]();
}
