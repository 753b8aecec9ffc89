// The push queues' worker pool on a real pg-boss: a slow job does not hold up the others (each is
// settled as its handler ends, and freed slots take new jobs), and a handler that throws fails
// only its own job.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { startJobQueue, type JobQueue } from '../../src/jobs/queue.ts';
import { freshDatabase } from '../helpers/db.ts';

let database: Database;
let queue: JobQueue;
beforeAll(async () => {
  database = await freshDatabase();
  queue = await startJobQueue(database);
});
afterAll(async () => {
  await queue.stop();
  await database.close();
});

const states = async (name: string) => {
  const rows = await database.db
    .withSchema('pgboss')
    .selectFrom('job' as never)
    .select(['data', 'state', 'output'] as never)
    .where('name' as never, '=', name as never)
    .execute();
  return new Map((rows as { data: { n: number }; state: string; output: { message?: string } | null }[]).map((r) => [r.data.n, r]));
};

async function until(what: string, check: () => Promise<boolean>) {
  for (let i = 0; !(await check()); i++) {
    if (i > 1000) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('settles each job as it ends: while one is held, the others finish and the freed slot takes the next', async () => {
  const name = 'test-pool';
  await queue.define(name, { retryLimit: 0 });
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await queue.workPool<{ n: number }>(name, { concurrency: 2, pollingIntervalSeconds: 0.5 }, async (job) => {
    if (job.data.n === 0) await held;
    if (job.data.n === 3) throw new Error('job 3 refused');
  });
  await database.db.transaction().execute(async (trx) => {
    for (let n = 0; n < 4; n++) await queue.enqueue(trx, name, { n });
  });
  queue.wake(name);

  // Two slots, one held by job 0: jobs 1, 2 and 3 went through the other, one after the other.
  await until('jobs 1–3 settled while job 0 is held', async () => {
    const s = await states(name);
    return [1, 2, 3].every((n) => ['completed', 'failed'].includes(s.get(n)?.state ?? ''));
  });
  let s = await states(name);
  expect(s.get(0)?.state).toBe('active');
  expect([1, 2].map((n) => s.get(n)?.state)).toEqual(['completed', 'completed']);
  expect(s.get(3)).toMatchObject({ state: 'failed', output: { message: 'job 3 refused' } });

  release();
  await until('job 0 completed', async () => (await states(name)).get(0)?.state === 'completed');
  s = await states(name);
  expect([...s.values()].filter((j) => j.state === 'completed')).toHaveLength(3);
});
