// The section list at scale in a real browser: 20,000 sections written straight to the store (as
// test/http/paging.test.ts does), scrolled to the bottom through the virtualized table, which pages
// through the cursor API as it goes. The last section appears, and the table never holds more than
// a bounded number of row elements at once.
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';
import { hasChromium, launchBrowser, signedInPage, SKIP_MESSAGE } from './browser.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const SECTIONS = 20_000;
const PAGE_SIZE = 500; // web/src/screens/Sections.tsx
/** Rows in the DOM at once: the visible ones (about 18 in a 640 px table) plus 12 overscan each side, with room to spare. */
const MAX_ROWS_IN_DOM = 80;

describe.skipIf(!hasChromium)('the section list with 20,000 sections in a real browser', () => {
  let hub: Hub;
  let browser: Browser;
  let page: Page;
  let last: { subject: string; number: string; section_number: string };

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startHub();
    const s = await seedSchedule(hub.admin);
    // 200 courses × 100 sections, written straight to the store: this tests the list, not creation.
    await sql`
      insert into courses (subject, number, title, credits, department_id)
      select 'S' || lpad((g % 20)::text, 2, '0'), lpad(g::text, 4, '0'), 'Course ' || g, 3, ${s.math.id}
      from generate_series(1, 200) g`.execute(hub.db);
    await sql`
      insert into sections (term_id, course_id, section_number, component, capacity, sis_base)
      select ${s.term.id}, c.id, lpad(n::text, 3, '0'), 'LEC', (n * 7) % 150, jsonb_build_object('enrolled', (n * 3) % 40)
      from courses c cross join generate_series(1, 100) n
      where c.subject like 'S%'`.execute(hub.db);
    const count = await hub.db.selectFrom('sections').select((eb) => eb.fn.countAll<number>().as('n')).where('term_id', '=', s.term.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(SECTIONS);
    // The list's default order is by course code: the last section is the greatest subject, number, section.
    last = await hub.db
      .selectFrom('sections as x')
      .innerJoin('courses as c', 'c.id', 'x.course_id')
      .select(['c.subject', 'c.number', 'x.section_number'])
      .where('x.term_id', '=', s.term.id)
      .orderBy('c.subject', 'desc')
      .orderBy('c.number', 'desc')
      .orderBy('x.section_number', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    page = await signedInPage(browser, hub.url, 'registrar@example.edu', PASSWORD);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('scrolls to the last section, loading pages through the cursor, with a bounded number of rows in the DOM', { timeout: 180_000 }, async () => {
    const requests: URL[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/v1/sections') requests.push(url);
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Sections' }).waitFor();
    await page.getByText(`${PAGE_SIZE} sections loaded — more load as you scroll`).waitFor();
    const table = page.locator('table[aria-rowcount]');
    expect(await table.locator('tbody tr[data-section-id]').count()).toBeLessThanOrEqual(MAX_ROWS_IN_DOM);

    // Watch every change to the table body and keep the most rows it ever held at once.
    await page.evaluate(() => {
      const tbody = document.querySelector('table[aria-rowcount] tbody')!;
      const w = window as unknown as { __maxRows: number; __minRows: number };
      const count = () => tbody.querySelectorAll('tr[data-section-id]').length;
      w.__maxRows = count();
      w.__minRows = count();
      new MutationObserver(() => {
        const n = count();
        w.__maxRows = Math.max(w.__maxRows, n);
        w.__minRows = Math.min(w.__minRows, n);
      }).observe(tbody, { childList: true });
    });

    // Scroll the table's own scroller to the bottom until every page is loaded (bounded in time).
    const started = Date.now();
    await page.waitForFunction(
      (total) => {
        const scroller = document.querySelector('table[aria-rowcount]')!.parentElement!;
        scroller.scrollTop = scroller.scrollHeight;
        return document.querySelector('[data-testid="section-count"]')?.textContent?.startsWith(`${total} sections loaded`) ?? false;
      },
      SECTIONS,
      { polling: 100, timeout: 150_000 },
    );
    const seconds = (Date.now() - started) / 1000;
    expect(await page.getByTestId('section-count').innerText()).toBe(`${SECTIONS} sections loaded`);
    expect(await table.getAttribute('aria-rowcount')).toBe(String(SECTIONS + 1));

    // The last section is there, at the bottom, in view.
    await page.evaluate(() => {
      const scroller = document.querySelector('table[aria-rowcount]')!.parentElement!;
      scroller.scrollTop = scroller.scrollHeight;
    });
    const lastLink = page.getByRole('link', { name: `${last.subject} ${last.number}-${last.section_number}`, exact: true });
    await lastLink.waitFor();
    expect(await lastLink.isVisible()).toBe(true);
    const lastRow = table.locator('tbody tr[data-section-id]').last();
    expect(await lastRow.getAttribute('aria-rowindex')).toBe(String(SECTIONS + 1));
    expect(await lastRow.getByRole('link').innerText()).toBe(`${last.subject} ${last.number}-${last.section_number}`);

    // Virtualized: never more than a bounded number of row elements, whatever was loaded.
    const { max, min } = await page.evaluate(() => {
      const w = window as unknown as { __maxRows: number; __minRows: number };
      return { max: w.__maxRows, min: w.__minRows };
    });
    expect(max, `at most ${max} rows in the DOM at once`).toBeLessThanOrEqual(MAX_ROWS_IN_DOM);
    expect(min).toBeGreaterThan(0);
    expect(await table.locator('tbody tr[data-section-id]').count()).toBeLessThanOrEqual(MAX_ROWS_IN_DOM);

    // Every page came through the cursor: the first page, then each cursor. The data library may
    // re-request a page now and then (a refetch on focus), never the whole list again.
    const pages = requests.filter((u) => u.searchParams.get('limit') === String(PAGE_SIZE));
    expect(pages.length).toBeGreaterThanOrEqual(SECTIONS / PAGE_SIZE);
    expect(pages.length).toBeLessThanOrEqual(SECTIONS / PAGE_SIZE + 2);
    expect(pages.filter((u) => !u.searchParams.has('cursor')).length).toBeGreaterThanOrEqual(1);
    const cursors = pages.map((u) => u.searchParams.get('cursor')).filter(Boolean);
    expect(new Set(cursors).size).toBe(SECTIONS / PAGE_SIZE - 1);
    console.info(`scrolled through ${SECTIONS} sections in ${seconds.toFixed(1)} s, at most ${max} rows in the DOM`);
  });
});
