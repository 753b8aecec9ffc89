// Paging through a large term: 15,000 sections arrive page by page, each exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, readable, startPair, type Dialect, type Pair } from './harness.ts';

describe.each<Dialect>(['ethos', 'peoplesoft'])('%s: 15,000 sections of one term', (dialect) => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(dialect, { seed: 'synthetic:15000' });
  }, 60_000);
  afterAll(async () => {
    await pair.sim.close();
  });

  it('yields every section once, in pages no larger than the page size', async () => {
    const term = (await pair.connector.listTerms()).find((t) => t.code === '2026-sp')!;
    const sizes: number[] = [];
    const keys = new Set<string>();
    let meetings = 0;
    for await (const page of pair.connector.sections(term.key)) {
      sizes.push(page.length);
      for (const s of readable(page)) {
        keys.add(s.key);
        meetings += s.meetings.length;
        expect(s.termKey).toBe(term.key);
      }
    }
    expect(keys.size).toBe(15_000);
    expect(sizes.length).toBe(30);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(pair.connector.capabilities.pageSize);
    const simTerm = Object.values(pair.sim.store.state.terms).find((t) => t.code === '2026-sp')!;
    expect(meetings).toBe(pair.sim.store.sectionsOfTerm(simTerm.id).reduce((n, s) => n + s.meetings.length, 0));
  }, 120_000);

  it('follows a server page cap smaller than the one asked for', async () => {
    const greedy = pair.connect({ pageSize: 10_000 });
    const { items, pages } = await collect(greedy.rooms());
    expect(items).toHaveLength(Object.keys(pair.sim.store.state.rooms).length);
    expect(new Set(items.map((r) => r.key)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(items.length / 500));
  }, 60_000);
});
