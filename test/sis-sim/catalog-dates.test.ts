// A SIS catalog is effective-dated: a section shows its course as of the newest version. The
// simulator seeded with a newer term and then an older one keeps the newer term's catalog data,
// as the Ethos connector reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, hasSharedData, SKIP_SHARED, startPair, uiucFile, type Pair } from '../sis/harness.ts';

describe.skipIf(!hasSharedData)(hasSharedData ? 'simulator catalog seeded with terms out of order' : SKIP_SHARED, () => {
  let pair: Pair;
  /** The course as the Ethos connector reads it for the 2025-su term. */
  const course = async (subject: string, number: string) => {
    const term = (await pair.connector.listTerms()).find((t) => t.code === '2025-su')!;
    const { items } = await collect(pair.connector.courses(term.key));
    const found = items.find((c) => c.subject === subject && c.number === number)!;
    return { title: found.title, credits: found.credits, creditsMax: found.creditsMax };
  };

  beforeAll(async () => {
    pair = await startPair('ethos', { seed: `csv:${uiucFile('2025-su')}` });
  });
  afterAll(async () => {
    await pair?.sim.close();
  });

  it('keeps the 2025 title and credits of a course when 2024-su is seeded after 2025-su', async () => {
    // In 2024 ACE 499 was "Seminar" and ARTS 591 1 to 8 hours; in 2025, "Contemporary Topics in ACE" and 1 to 4.
    expect(await pair.admin('POST', '/seed', { seed: `csv:${uiucFile('2024-su')}` })).toMatchObject({ terms: ['2024-su'] });
    expect(await course('ACE', '499')).toEqual({ title: 'Contemporary Topics in ACE', credits: 1, creditsMax: 4 });
    expect(await course('ARTS', '591')).toMatchObject({ credits: 1, creditsMax: 4 });
  });

  it('takes a newer term’s catalog data over an older one', async () => {
    await pair.admin('POST', '/seed', { seed: `csv:${uiucFile('2025-su')}` });
    expect((await course('ACE', '499')).title).toBe('Contemporary Topics in ACE');
  });
});
