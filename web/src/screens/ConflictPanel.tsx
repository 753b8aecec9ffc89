// What the section editor shows when a save finds that someone else saved the section meanwhile
// (409): field by field, the value when it was opened, now, and the user's own edit; the user then
// applies their changes to the new version or discards them.
import { meetingSummary } from '../data.ts';
import type { Meeting, Room, Section } from '../types.ts';
import { formatValue } from '../ui.tsx';
import { apiValue, changedKeys, LABELS, same, toDraft, type Draft, type EditableKey } from './section-draft.ts';

/** A field's value as the table of changes shows it. */
function describe(key: EditableKey, value: unknown, roomMap: Map<string, Room>): string {
  if (key === 'meetings') {
    const list = value as Meeting[];
    return list.length ? list.map((m) => `${meetingSummary(m, roomMap)}${m.startDate || m.endDate ? ` (${m.startDate ?? '…'} to ${m.endDate ?? '…'})` : ''}`).join('; ') : 'none';
  }
  if (key === 'instructors') return (value as Section['instructors']).length ? `${(value as Section['instructors']).length} assigned` : 'none';
  if ((key === 'allowIntegration' || key === 'sourceOfTruth') && value === null) return 'blank';
  return formatValue(value);
}

export function ConflictPanel({ base, current, mine, myKeys, roomMap, onKeepMine, onTakeTheirs }: { base: Section; current: Section; mine: Draft; myKeys: EditableKey[]; roomMap: Map<string, Room>; onKeepMine: () => void; onTakeTheirs: () => void }) {
  const was = toDraft(base);
  const now = toDraft(current);
  const theirKeys = changedKeys(was, now);
  const extra: [string, unknown, unknown][] = (['status', 'enrolled', 'sisKey'] as const).filter((k) => base[k] !== current[k]).map((k) => [k, base[k], current[k]]);
  const clashes = myKeys.filter((k) => theirKeys.includes(k) && !same(apiValue(mine, k), apiValue(now, k)));
  return (
    <div role="alert" className="space-y-2 rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950" data-testid="conflict">
      <p className="font-semibold">Someone else saved this section while you were editing (version {base.version} → {current.version}). Your changes were not saved.</p>
      <p>What changed meanwhile:</p>
      <div className="overflow-x-auto">
        <table className="w-full border-collapse bg-white text-left">
          <thead>
            <tr className="border-b border-amber-300">
              <th scope="col" className="px-2 py-1">Field</th>
              <th scope="col" className="px-2 py-1">When you opened it</th>
              <th scope="col" className="px-2 py-1">Now</th>
              <th scope="col" className="px-2 py-1">Your edit</th>
            </tr>
          </thead>
          <tbody>
            {theirKeys.map((k) => (
              <tr key={k} className={`border-b border-amber-100 ${clashes.includes(k) ? 'bg-red-50' : ''}`} data-conflict-field={k}>
                <th scope="row" className="px-2 py-1 font-medium">
                  {LABELS[k]}
                  {clashes.includes(k) && <span className="ml-1 text-red-800">(you changed it too)</span>}
                </th>
                <td className="px-2 py-1">{describe(k, apiValue(was, k), roomMap)}</td>
                <td className="px-2 py-1">{describe(k, apiValue(now, k), roomMap)}</td>
                <td className="px-2 py-1">{myKeys.includes(k) ? describe(k, apiValue(mine, k), roomMap) : '—'}</td>
              </tr>
            ))}
            {extra.map(([k, a, b]) => (
              <tr key={k} className="border-b border-amber-100">
                <th scope="row" className="px-2 py-1 font-medium">{k}</th>
                <td className="px-2 py-1">{formatValue(a)}</td>
                <td className="px-2 py-1">{formatValue(b)}</td>
                <td className="px-2 py-1">—</td>
              </tr>
            ))}
            {theirKeys.length + extra.length === 0 && (
              <tr>
                <td colSpan={4} className="px-2 py-1">No field you can edit differs; the section was saved again without visible changes.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {myKeys.length > 0 && <p>Your unsaved changes: {myKeys.map((k) => LABELS[k]).join(', ')}.</p>}
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn btn-primary" onClick={onKeepMine}>
          Apply my changes to the new version
        </button>
        <button type="button" className="btn" onClick={onTakeTheirs}>
          Discard my changes
        </button>
      </div>
    </div>
  );
}
