// The section list: a virtualized table that pages through the cursor API as you scroll, with
// server-side filters and sorting (the sortable columns' headers), a column chooser, CSV export,
// Crosslist / Combine for selected rows, and New section.
import { useInfiniteQuery } from '@tanstack/react-query';
import {
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  rowSelectionFeature,
  tableFeatures,
  useTable,
  type ColumnVisibilityState,
  type RowSelectionState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { get, qs } from '../api.ts';
import { INTEGRATION_LABELS, meetingSummary, sectionCode, useCapabilities, useDepartments, useInstructors, useRooms, useTerms } from '../data.ts';
import { Link } from '../router.tsx';
import { useCan, useSession } from '../session.tsx';
import type { Page, Room, Section } from '../types.ts';
import { Alert, ErrorAlert, localStamp } from '../ui.tsx';
import { NewSectionButton } from './NewSectionDialog.tsx';
import { RelationshipDialog } from './RelationshipDialog.tsx';
import { TermPicker, useSelectedTerm } from './TermPicker.tsx';
import { csvDocument } from '../../../src/domain/csv.ts';

export interface SectionFilters {
  subject: string;
  departmentId: string;
  status: string;
  integrationStatus: string;
  q: string;
}
let rememberedFilters: SectionFilters = { subject: '', departmentId: '', status: '', integrationStatus: '', q: '' };

/** The columns the API sorts by (GET /sections `sort`, a leading `-` descending), named as the columns are. */
const SORTABLE = new Set(['code', 'updatedAt', 'capacity', 'enrolled']);
/** The API's order: sorting on the server keeps the cursor pages, and the export, in the order shown. */
let rememberedSort = 'code';

interface SectionRow {
  section: Section;
  id: string;
  code: string;
  title: string;
  component: string;
  status: string;
  capacity: number;
  /** Null: unknown (shown "—", an empty cell in the export). */
  enrolled: number | null;
  instructionMode: string;
  campus: string;
  partOfTerm: string;
  meetings: string;
  instructors: string;
  sisNumber: string;
  sisKey: string;
  integration: string;
  updatedAt: string;
}

const features = tableFeatures({ columnSizingFeature, columnVisibilityFeature, rowSelectionFeature });
const helper = createColumnHelper<typeof features, SectionRow>();

const PAGE_SIZE = 500;
const ROW_HEIGHT = 36;
const COLUMN_KEY = 'coursebridge.sectionColumns';

function toRow(s: Section, rooms: Map<string, Room>, instructors: Map<string, string>): SectionRow {
  return {
    section: s,
    id: s.id,
    code: sectionCode(s),
    title: s.title ?? s.courseTitle,
    component: s.component,
    status: s.status,
    capacity: s.capacity,
    enrolled: s.enrolled,
    instructionMode: s.instructionMode.replace('_', ' '),
    campus: s.campus ?? '',
    partOfTerm: s.partOfTerm ?? '',
    meetings: s.meetings.map((m) => meetingSummary(m, rooms)).join('; '),
    instructors: s.instructors.map((i) => instructors.get(i.instructorId) ?? '?').join('; '),
    sisNumber: s.sisNumber ?? '',
    sisKey: s.sisKey ?? '',
    integration: s.integrationStatus ? (INTEGRATION_LABELS[s.integrationStatus.status] ?? s.integrationStatus.status) : '',
    updatedAt: localStamp(s.updatedAt),
  };
}

function sectionsPath(termId: string, f: SectionFilters, sort: string, cursor?: string | null) {
  return `/api/v1/sections${qs({
    termId,
    subject: f.subject.trim().toUpperCase(),
    departmentId: f.departmentId,
    status: f.status,
    integrationStatus: f.integrationStatus,
    q: f.q.trim(),
    sort,
    limit: PAGE_SIZE,
    cursor,
  })}`;
}

export function SectionsScreen() {
  const terms = useTerms();
  const [term, setTerm] = useSelectedTerm();
  const departments = useDepartments();
  const rooms = useRooms();
  const instructors = useInstructors();
  const capabilities = useCapabilities();
  const canRelate = useCan('relationships.edit');
  // Where terms come from, for whoever can go there: the Admin product, Execute Merge, and a hub with its merges.
  const canImport = useCan('merges.execute') && !!useSession().me?.products.includes('admin') && !!capabilities.data?.has('post', '/api/v1/admin/merges');
  // A role limited to departments sees their sections only: the filter offers those departments.
  const scope = useSession().me?.departmentIds;
  const offeredDepartments = (departments.data ?? []).filter((d) => !scope || scope.includes(d.id));
  const integrationFilter = capabilities.data?.queryParam('/api/v1/sections', 'integrationStatus');

  const [filters, setFiltersState] = useState<SectionFilters>(rememberedFilters);
  const setFilters = (f: SectionFilters) => {
    rememberedFilters = f;
    setFiltersState(f);
  };
  const [sort, setSortState] = useState(rememberedSort);
  const setSort = (next: string) => setSortState((rememberedSort = next));
  const [q, setQ] = useState(filters.q);
  useEffect(() => {
    // From the filters as they are when the wait ends: a filter picked meanwhile is kept.
    const t = setTimeout(() => setFiltersState((f) => (f.q === q ? f : (rememberedFilters = { ...f, q }))), 300);
    return () => clearTimeout(t);
    // Only typing restarts the wait: other renders (every scroll frame) must not hold the search back.
  }, [q]);

  const query = useInfiniteQuery({
    queryKey: ['sections', term?.id, filters, sort],
    enabled: !!term,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => get<Page<Section>>(sectionsPath(term!.id, filters, sort, pageParam)),
    getNextPageParam: (last) => last.nextCursor,
  });

  const roomMap = useMemo(() => new Map((rooms.data ?? []).map((r) => [r.id, r])), [rooms.data]);
  const instructorMap = useMemo(() => new Map((instructors.data ?? []).map((i) => [i.id, i.name])), [instructors.data]);
  const data = useMemo(
    () => (query.data?.pages ?? []).flatMap((p) => p.items.map((s) => toRow(s, roomMap, instructorMap))),
    [query.data, roomMap, instructorMap],
  );
  const hasIntegration = !!integrationFilter || data.some((r) => r.section.integrationStatus !== undefined);

  const columns = useMemo(
    () =>
      helper.columns([
        helper.display({
          id: 'select',
          header: ({ table }) => (
            <input
              type="checkbox"
              aria-label="Select all loaded sections"
              checked={table.getIsAllRowsSelected()}
              onChange={(e) => table.toggleAllRowsSelected(e.target.checked)}
            />
          ),
          cell: ({ row }) => (
            <input
              type="checkbox"
              aria-label={`Select ${row.original.code}`}
              checked={row.getIsSelected()}
              onChange={(e) => row.toggleSelected(e.target.checked)}
            />
          ),
          size: 36,
          enableHiding: false,
        }),
        helper.accessor('code', {
          header: 'Section',
          cell: (info) => (
            <Link to={`/sections/${info.row.original.id}`} className="font-medium text-blue-800 underline-offset-2 hover:underline">
              {info.getValue()}
            </Link>
          ),
          size: 140,
          enableHiding: false,
        }),
        helper.accessor('title', { header: 'Title', size: 220 }),
        helper.accessor('component', { header: 'Comp.', size: 70 }),
        helper.accessor('status', { header: 'Status', size: 90 }),
        helper.accessor('capacity', { header: 'Cap.', size: 60 }),
        helper.accessor('enrolled', { header: 'Enr.', size: 60, cell: (info) => info.getValue() ?? <span title="The SIS does not report enrollment">—</span> }),
        helper.accessor('meetings', { header: 'Meetings', size: 260 }),
        helper.accessor('instructors', { header: 'Instructors', size: 180 }),
        helper.accessor('instructionMode', { header: 'Mode', size: 90 }),
        helper.accessor('campus', { header: 'Campus', size: 90 }),
        helper.accessor('partOfTerm', { header: 'Part', size: 60 }),
        helper.accessor('sisNumber', { header: 'SIS number', size: 100 }),
        helper.accessor('sisKey', { header: 'SIS key', size: 120 }),
        helper.accessor('integration', { header: 'Integration', size: 140 }),
        helper.accessor('updatedAt', { header: 'Updated', size: 140 }),
      ]),
    [],
  );

  const [columnVisibility, setColumnVisibility] = useState<ColumnVisibilityState>(() => {
    try {
      return JSON.parse(localStorage.getItem(COLUMN_KEY) ?? '') as ColumnVisibilityState;
    } catch {
      return { campus: false, partOfTerm: false, sisNumber: false, sisKey: false, updatedAt: false };
    }
  });
  useEffect(() => localStorage.setItem(COLUMN_KEY, JSON.stringify(columnVisibility)), [columnVisibility]);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  // Other filters show other sections: a selection made under the old ones is dropped, so what
  // Crosslist and Combine act on is always what the list shows selected.
  useEffect(() => setRowSelection({}), [term?.id, filters]);

  const effectiveVisibility = useMemo(() => ({ ...columnVisibility, ...(hasIntegration ? {} : { integration: false }) }), [columnVisibility, hasIntegration]);
  const table = useTable({
    features,
    columns,
    data,
    getRowId: (row) => row.id,
    state: { columnVisibility: effectiveVisibility, rowSelection },
    onColumnVisibilityChange: setColumnVisibility,
    onRowSelectionChange: setRowSelection,
  });

  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (lastIndex >= rows.length - 100 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Only loaded rows count: a selected section that left the list (cancelled under a status
  // filter, say) is not acted on.
  const selectedSections = data.filter((r) => rowSelection[r.id]).map((r) => r.section);
  const [relating, setRelating] = useState<'crosslist' | 'combined' | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);

  async function exportCsv() {
    if (!term) return;
    setExporting('Exporting…');
    try {
      const all: SectionRow[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Section> = await get<Page<Section>>(sectionsPath(term.id, filters, sort, cursor));
        all.push(...page.items.map((s) => toRow(s, roomMap, instructorMap)));
        cursor = page.nextCursor;
        setExporting(`Exporting… ${all.length} sections`);
      } while (cursor);
      const cols = table.getVisibleLeafColumns().filter((c) => c.id !== 'select');
      const header = cols.map((c) => (typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id));
      const lines = all.map((r) => cols.map((c) => r[c.id as keyof SectionRow] as unknown));
      const blob = new Blob([csvDocument([header, ...lines])], { type: 'text/csv;charset=utf-8' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `sections-${term.code}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setExporting(`Exported ${all.length} sections`);
    } catch (error) {
      setExporting(`Export failed: ${(error as Error).message}`);
    }
  }

  const visibleColumns = table.getVisibleLeafColumns();
  const totalWidth = visibleColumns.reduce((n, c) => n + c.getSize(), 0);
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Sections</h1>
        <div className="flex flex-wrap items-center gap-2">
          <TermPicker term={term} onChange={setTerm} terms={terms.data ?? []} />
          {term && <NewSectionButton term={term} />}
        </div>
      </div>

      <form role="search" aria-label="Filter sections" className="flex flex-wrap items-end gap-2" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="f-q" className="block font-medium">
            Search
          </label>
          <input id="f-q" className="input w-56" placeholder="Code, title, section, SIS number or key" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <div>
          <label htmlFor="f-subject" className="block font-medium">
            Subject
          </label>
          <input id="f-subject" className="input w-24 uppercase" value={filters.subject} onChange={(e) => setFilters({ ...filters, subject: e.target.value })} />
        </div>
        <div>
          <label htmlFor="f-dept" className="block font-medium">
            Department
          </label>
          <select id="f-dept" className="input w-48" value={filters.departmentId} onChange={(e) => setFilters({ ...filters, departmentId: e.target.value })}>
            <option value="">{scope ? 'All your departments' : 'All departments'}</option>
            {offeredDepartments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.code} — {d.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-status" className="block font-medium">
            Status
          </label>
          <select id="f-status" className="input w-32" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="cancelled">Cancelled</option>
          </select>
        </div>
        {integrationFilter && (
          <div>
            <label htmlFor="f-integration" className="block font-medium">
              Integration
            </label>
            <select
              id="f-integration"
              className="input w-44"
              value={filters.integrationStatus}
              onChange={(e) => setFilters({ ...filters, integrationStatus: e.target.value })}
            >
              <option value="">Any</option>
              {(integrationFilter.enum ?? Object.keys(INTEGRATION_LABELS)).map((s) => (
                <option key={s} value={s}>
                  {INTEGRATION_LABELS[s] ?? s}
                </option>
              ))}
            </select>
          </div>
        )}
        <details className="relative">
          <summary className="btn cursor-pointer list-none">Columns</summary>
          <fieldset className="absolute right-0 z-20 mt-1 w-52 space-y-1 rounded border border-slate-300 bg-white p-3 shadow-lg sm:left-0 sm:right-auto">
            <legend className="sr-only">Visible columns</legend>
            {table
              .getAllLeafColumns()
              .filter((c) => c.columnDef.enableHiding !== false && (c.id !== 'integration' || hasIntegration))
              .map((c) => (
                <label key={c.id} className="flex items-center gap-2">
                  <input type="checkbox" checked={c.getIsVisible()} onChange={(e) => c.toggleVisibility(e.target.checked)} />
                  {String(c.columnDef.header)}
                </label>
              ))}
          </fieldset>
        </details>
        <button type="button" className="btn" onClick={exportCsv} disabled={!term}>
          Export CSV
        </button>
        {canRelate && (
          <>
            <button type="button" className="btn" disabled={selectedSections.length < 2} onClick={() => setRelating('crosslist')}>
              Crosslist
            </button>
            <button type="button" className="btn" disabled={selectedSections.length < 2} onClick={() => setRelating('combined')}>
              Combine
            </button>
          </>
        )}
      </form>

      <p className="text-sm text-slate-600" aria-live="polite" data-testid="section-count">
        {!term ? (
          <>
            No term yet: sections appear once a term exists.
            {canImport ? (
              <>
                {' '}
                Import terms from the SIS with{' '}
                <Link to="/admin/merges" className="text-blue-800 underline">
                  Execute Merge
                </Link>{' '}
                in the admin console.
              </>
            ) : (
              ' An administrator imports them from the SIS.'
            )}
          </>
        ) : query.isPending
          ? 'Loading sections…'
          : `${data.length} section${data.length === 1 ? '' : 's'} loaded${query.hasNextPage ? ' — more load as you scroll' : ''}`}
        {selectedSections.length > 0 && ` · ${selectedSections.length} selected`}
        {exporting && ` · ${exporting}`}
      </p>
      {query.error && <ErrorAlert error={query.error} />}
      {!query.isPending && data.length === 0 && term && <Alert kind="info">No sections match these filters.</Alert>}

      <div ref={scrollRef} className="h-[calc(100vh-260px)] min-h-[320px] overflow-auto rounded border border-slate-200 bg-white" tabIndex={-1}>
        <table className="table-fixed border-collapse text-sm" style={{ width: Math.max(totalWidth, 600) }} aria-rowcount={rows.length + 1}>
          <thead className="sticky top-0 z-10 bg-slate-100">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers
                  .filter((h) => h.column.getIsVisible())
                  .map((header) => {
                    const id = header.column.id;
                    const direction = !SORTABLE.has(id) ? undefined : sort === id ? 'ascending' : sort === `-${id}` ? 'descending' : 'none';
                    return (
                      <th key={header.id} scope="col" aria-sort={direction} style={{ width: header.getSize() }} className="border-b border-slate-300 px-2 py-2 text-left font-semibold">
                        {header.isPlaceholder ? null : direction ? (
                          <button type="button" className="inline-flex items-center gap-1 font-semibold hover:underline" onClick={() => setSort(sort === id ? `-${id}` : id)}>
                            <table.FlexRender header={header} />
                            <span aria-hidden="true" className="text-xs text-slate-500">
                              {direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}
                            </span>
                          </button>
                        ) : (
                          <table.FlexRender header={header} />
                        )}
                      </th>
                    );
                  })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true">
                <td style={{ height: padTop }} colSpan={visibleColumns.length} />
              </tr>
            )}
            {items.map((item) => {
              const row = rows[item.index];
              return (
                <tr
                  key={row.id}
                  aria-rowindex={item.index + 2}
                  style={{ height: ROW_HEIGHT }}
                  className={`border-b border-slate-100 ${row.getIsSelected() ? 'bg-blue-50' : item.index % 2 ? 'bg-slate-50/50' : ''} ${row.original.status === 'cancelled' ? 'text-slate-500 line-through decoration-slate-400' : ''}`}
                  data-section-id={row.id}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="truncate px-2" title={typeof cell.getValue() === 'string' ? (cell.getValue() as string) : undefined}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true">
                <td style={{ height: padBottom }} colSpan={visibleColumns.length} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {relating && term && (
        <RelationshipDialog
          kind={relating}
          termId={term.id}
          sections={selectedSections}
          onClose={(created) => {
            setRelating(null);
            if (created) setRowSelection({});
          }}
        />
      )}
    </div>
  );
}
