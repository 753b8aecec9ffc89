// The admin console's tables: a header row of column names (a hidden one for a column of
// buttons), then the caller's rows. One markup, so every admin list reads and scrolls alike.
import type { ReactNode } from 'react';

export type Column = string | { label: string; hidden: true };

/** `plain`: compact cells and no frame, for a table inside a form or a card. */
export function AdminTable({ columns, children, testId, plain = false }: { columns: Column[]; children: ReactNode; testId?: string; plain?: boolean }) {
  const cell = plain ? 'px-2 py-1' : 'px-3 py-2';
  return (
    <div className={plain ? 'overflow-x-auto' : 'overflow-x-auto rounded border border-slate-200 bg-white'}>
      <table className="w-full text-sm" data-testid={testId}>
        <thead className="bg-slate-100 text-left">
          <tr>
            {columns.map((c) => (
              <th key={typeof c === 'string' ? c : c.label} scope="col" className={cell}>
                {typeof c === 'string' ? c : <span className="sr-only">{c.label}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
