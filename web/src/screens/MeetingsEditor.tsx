// The section editor's meetings: days, times, dates, every how many weeks, and a room picker that
// shows each room's seats against the section's capacity.
import { useMemo } from 'react';
import { meetingSummary, roomLabel, weekIntervalLabel } from '../data.ts';
import type { Meeting, Room } from '../types.ts';
import { Field } from '../ui.tsx';
import type { Draft, UpdateDraft } from './section-draft.ts';

const DAYS = [
  ['M', 'Monday'],
  ['T', 'Tuesday'],
  ['W', 'Wednesday'],
  ['R', 'Thursday'],
  ['F', 'Friday'],
  ['S', 'Saturday'],
  ['U', 'Sunday'],
] as const;
/** Every how many weeks a meeting may be held (the API's 1 to 52). */
const WEEK_INTERVALS = Array.from({ length: 52 }, (_, i) => i + 1);

/** The fields of a meeting whose errors are shown beside them. */
const MEETING_FIELDS = ['days', 'startTime', 'endTime', 'startDate', 'endDate', 'roomId', 'weekInterval'] as const;
type MeetingField = (typeof MEETING_FIELDS)[number];

/** The error paths (`meetings.0.days`…) this editor shows beside a field, for the meetings of a draft. */
export function meetingErrorFields(meetings: Meeting[]): string[] {
  return ['meetings', ...meetings.flatMap((_, i) => MEETING_FIELDS.map((f) => `meetings.${i}.${f}`))];
}

export function MeetingsEditor({ draft, setDraft, rooms, roomMap, meetingLock, roomLock, errors }: { draft: Draft; setDraft: UpdateDraft; rooms: Room[]; roomMap: Map<string, Room>; meetingLock?: string; roomLock?: string; errors: Record<string, string> }) {
  const setMeetings = (meetings: Meeting[]) => setDraft((d) => ({ ...d, meetings }));
  const setMeeting = (i: number, m: Partial<Meeting>) => setDraft((d) => ({ ...d, meetings: d.meetings.map((x, j) => (j === i ? { ...x, ...m } : x)) }));
  const capacity = Number(draft.capacity);
  return (
    <section className="card space-y-3" aria-labelledby="meetings-h">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="meetings-h" className="font-semibold">
          Meetings
        </h2>
        <button
          type="button"
          className="btn"
          disabled={!!meetingLock || !!roomLock}
          title={meetingLock ?? roomLock}
          onClick={() => setMeetings([...draft.meetings, { days: '', startTime: null, endTime: null, startDate: null, endDate: null, roomId: null, weekInterval: 1 }])}
        >
          Add meeting
        </button>
      </div>
      {errors.meetings && <p className="field-error">{errors.meetings}</p>}
      {draft.meetings.length === 0 && <p className="text-sm text-slate-600">No meetings: arranged.</p>}
      {draft.meetings.map((m, i) => {
        const room = m.roomId ? roomMap.get(m.roomId) : undefined;
        const e = (f: MeetingField) => errors[`meetings.${i}.${f}`];
        return (
          <fieldset key={i} className="rounded border border-slate-200 p-3" data-testid={`meeting-${i}`}>
            <legend className="px-1 text-sm font-medium">
              Meeting {i + 1} <span className="font-normal text-slate-500">{meetingSummary(m, roomMap)}</span>
            </legend>
            <div className="grid grid-cols-1 gap-3 md:grid-cols-2 lg:grid-cols-6">
              <div className="lg:col-span-2">
                <span className="mb-0.5 block text-sm font-medium text-slate-700" id={`days-${i}`}>
                  Days
                </span>
                <div role="group" aria-labelledby={`days-${i}`} className="flex flex-wrap gap-1" title={meetingLock}>
                  {DAYS.map(([letter, name]) => (
                    <label key={letter} className={`flex items-center gap-0.5 rounded border px-1.5 py-0.5 text-sm ${m.days.includes(letter) ? 'border-blue-600 bg-blue-50' : 'border-slate-300'}`}>
                      <input
                        type="checkbox"
                        aria-label={name}
                        checked={m.days.includes(letter)}
                        disabled={!!meetingLock}
                        onChange={(ev) => {
                          const chosen = new Set(m.days.split(''));
                          if (ev.target.checked) chosen.add(letter);
                          else chosen.delete(letter);
                          setMeeting(i, { days: DAYS.map(([l]) => l).filter((l) => chosen.has(l)).join('') });
                        }}
                      />
                      {letter}
                    </label>
                  ))}
                </div>
                {e('days') && <p className="field-error">{e('days')}</p>}
                {meetingLock && <p className="mt-0.5 text-xs text-amber-800">{meetingLock}</p>}
              </div>
              <Field label="Start time" error={e('startTime')} lockedReason={meetingLock}>
                {(p) => <input {...p} type="time" className="input" value={m.startTime ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { startTime: ev.target.value || null })} />}
              </Field>
              <Field label="End time" error={e('endTime')} lockedReason={meetingLock}>
                {(p) => <input {...p} type="time" className={`input ${e('endTime') ? 'input-error' : ''}`} value={m.endTime ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { endTime: ev.target.value || null })} />}
              </Field>
              <Field label="Start date" error={e('startDate')} lockedReason={meetingLock} hint="Blank: the term's">
                {(p) => <input {...p} type="date" className="input" value={m.startDate ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { startDate: ev.target.value || null })} />}
              </Field>
              <Field label="End date" error={e('endDate')} lockedReason={meetingLock}>
                {(p) => <input {...p} type="date" className="input" value={m.endDate ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { endDate: ev.target.value || null })} />}
              </Field>
              <Field
                label="Room"
                error={e('roomId')}
                lockedReason={roomLock}
                hint={room && Number.isFinite(capacity) && room.capacity < capacity ? `${roomLabel(room)} seats ${room.capacity}, fewer than the section's capacity ${capacity}` : undefined}
                className="lg:col-span-3"
              >
                {(p) => <RoomPicker {...p} rooms={rooms} value={m.roomId} disabled={!!roomLock} capacity={capacity} onChange={(roomId) => setMeeting(i, { roomId })} />}
              </Field>
              <Field label="Repeats" error={e('weekInterval')} lockedReason={meetingLock}>
                {(p) => (
                  <select {...p} className="input" value={m.weekInterval} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { weekInterval: Number(ev.target.value) })}>
                    {WEEK_INTERVALS.map((n) => (
                      <option key={n} value={n}>
                        {weekIntervalLabel(n)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <div className="flex items-end lg:col-span-2">
                <button
                  type="button"
                  className="btn btn-danger"
                  disabled={!!meetingLock || !!roomLock}
                  title={meetingLock ?? roomLock}
                  onClick={() => setMeetings(draft.meetings.filter((_, j) => j !== i))}
                >
                  Remove meeting {i + 1}
                </button>
              </div>
            </div>
          </fieldset>
        );
      })}
    </section>
  );
}

function RoomPicker({ rooms, value, disabled, capacity, onChange, ...aria }: { rooms: Room[]; value: string | null; disabled: boolean; capacity: number; onChange: (id: string | null) => void; id: string; title?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) {
  const sorted = useMemo(() => [...rooms].sort((a, b) => roomLabel(a).localeCompare(roomLabel(b), undefined, { numeric: true })), [rooms]);
  return (
    <select {...aria} className="input" value={value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">No room (arranged or online)</option>
      {sorted.map((r) => (
        <option key={r.id} value={r.id} disabled={!r.active && r.id !== value}>
          {roomLabel(r)} — {r.capacity} seats{Number.isFinite(capacity) && r.capacity < capacity ? ' (too small)' : ''}
          {r.active ? '' : ' (inactive)'}
        </option>
      ))}
    </select>
  );
}
