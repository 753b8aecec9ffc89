// A full garbage collection where a merge lets go of a term. Once a term is fetched or applied,
// its SIS records, plan and rows are garbage, but they lived across the fetch's or the apply's
// awaits and so reached V8's old generation, which V8 lets grow to several times what is live
// before it collects: in the merge bench's first import on PostgreSQL the main heap reached
// 296 MB with 46 MB live, and the fetch thread held 130 MB. Collecting there costs a pause of tens
// of milliseconds per term and keeps the peak near what one term needs (README, benchmarks).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function gcFunction(): (() => void) | null {
  try {
    // Set at run time, --expose-gc gives contexts made afterwards V8's gc(); nothing else changes.
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null; // a runtime that refuses it: V8 collects on its own schedule, as before
  }
}

const gc = gcFunction();

export function collectGarbage(): void {
  gc?.();
}
