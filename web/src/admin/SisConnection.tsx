// The SIS connection (GET/PUT /api/v1/admin/sis-connection, POST …/test): where the one in force
// comes from, and — when it is saved here, or there is none — a form with each kind's settings.
// A saved secret is never shown: left blank it stays, while the kind and address stay the same
// (the hub asks for it again otherwise, naming the field). For admins with mergeSettings.edit.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors, get, post, put } from '../api.ts';
import { Alert, ErrorAlert, Field, formatValue } from '../ui.tsx';

type Kind = 'ethos' | 'peoplesoft' | 'csv';
type Source = 'environment' | 'demo' | 'database' | 'none';
interface ConnectionView {
  source: Source;
  /** Secrets (apiKey, password) as "********". */
  settings: Record<string, unknown> | null;
}
interface TestResult {
  ok: boolean;
  message: string;
}

interface Setting {
  name: string;
  label: string;
  type: 'url' | 'text' | 'secret' | 'number' | 'layout';
  hint?: string;
}
const TIMEOUT: Setting = { name: 'timeoutMs', label: 'Timeout (ms)', type: 'number', hint: 'How long one call to the SIS may take. Default 30000.' };
const PAGE_SIZE: Setting = { name: 'pageSize', label: 'Page size (optional)', type: 'number', hint: 'Records per page when reading; empty: the connector’s default.' };
const SETTINGS: Record<Kind, Setting[]> = {
  ethos: [
    { name: 'baseUrl', label: 'Base URL', type: 'url', hint: 'Ethos Integration, e.g. https://integrate.elluciancloud.com' },
    { name: 'apiKey', label: 'API key', type: 'secret' },
    { name: 'timeZone', label: 'SIS time zone', type: 'text', hint: 'The IANA zone meeting times are kept in. Default America/Chicago.' },
    { name: 'tokenMinutes', label: 'Token lifetime (minutes)', type: 'number', hint: 'Default 5.' },
    TIMEOUT,
    PAGE_SIZE,
  ],
  peoplesoft: [
    { name: 'baseUrl', label: 'Base URL', type: 'url', hint: 'The REST listening connector, …/PSIGW/RESTListeningConnector/PSFT_CS' },
    { name: 'username', label: 'Username', type: 'text' },
    { name: 'password', label: 'Password', type: 'secret' },
    TIMEOUT,
    PAGE_SIZE,
  ],
  csv: [
    { name: 'path', label: 'Path', type: 'text', hint: 'A file, or a folder whose *.csv files are read in name order, on the hub’s machine.' },
    { name: 'layout', label: 'Layout', type: 'layout' },
  ],
};
const KIND_LABELS: Record<Kind, string> = { ethos: 'Ellucian Ethos (Banner, Colleague)', peoplesoft: 'PeopleSoft Campus Solutions', csv: 'CSV files' };
const SOURCE_NOTES: Record<Source, string> = {
  environment: 'This connection comes from the environment (COURSEBRIDGE_SIS_* variables): change it there and restart the hub.',
  demo: 'This is the demo SIS the hub started beside it, with a synthetic institution. Save your own connection below to replace it.',
  database: 'Saved here, in the hub’s database (the API key or password encrypted).',
  none: 'No SIS connection yet: save one.',
};

const PATH = '/api/v1/admin/sis-connection';

export function SisConnection() {
  const connection = useQuery({ queryKey: ['sis-connection'], queryFn: () => get<ConnectionView>(PATH) });
  const test = useMutation({ mutationFn: () => post<TestResult>(`${PATH}/test`) });
  const [note, setNote] = useState<string | null>(null);
  const view = connection.data;
  // The demo is a stand-in until an admin saves their own; only the environment's is fixed.
  const editable = view?.source !== 'environment';
  return (
    <section className="max-w-2xl space-y-3" aria-labelledby="sis-connection-h">
      <h2 id="sis-connection-h" className="text-lg font-semibold">
        SIS connection
      </h2>
      {connection.error ? <ErrorAlert error={connection.error} /> : null}
      {!view && !connection.error && <p>Loading the SIS connection…</p>}
      {view && (
        <>
          <p className="text-sm text-slate-600" data-testid="sis-connection-source">
            {SOURCE_NOTES[view.source]}
          </p>
          {note && <Alert kind="success">{note}</Alert>}
          {view.source !== 'database' && <ReadOnlySettings settings={view.settings} />}
          {editable && (
            // A new saved state starts the form afresh from it; the demo's settings are not the admin's to start from.
            <ConnectionForm
              key={JSON.stringify(view)}
              saved={view.source === 'database' ? view.settings : null}
              onNote={(next) => {
                setNote(next);
                test.reset();
              }}
            />
          )}
          {view.source !== 'none' && (
            <div className="flex flex-wrap items-center gap-3">
              <button type="button" className="btn" onClick={() => test.mutate()} disabled={test.isPending}>
                {test.isPending ? 'Testing…' : 'Test connection'}
              </button>
              {view.source === 'database' && <span className="text-xs text-slate-500">Tries the saved connection: save changes first.</span>}
            </div>
          )}
          {test.data && <Alert kind={test.data.ok ? 'success' : 'error'}>{test.data.message}</Alert>}
          {test.error ? <ErrorAlert error={test.error} /> : null}
        </>
      )}
    </section>
  );
}

function ReadOnlySettings({ settings }: { settings: Record<string, unknown> | null }) {
  if (!settings) return null;
  return (
    <dl className="card grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
      {Object.entries(settings).map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="font-medium text-slate-700">{name}</dt>
          <dd>{formatValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A form value as the API takes it: numbers as numbers (what is not one goes as typed, for the hub to name). */
function valueFor(setting: Setting, text: string): unknown {
  if (setting.type !== 'number') return text;
  return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text;
}

function ConnectionForm({ saved, onNote }: { saved: Record<string, unknown> | null; onNote: (note: string | null) => void }) {
  const client = useQueryClient();
  const savedKind = (saved?.kind as Kind | undefined) ?? 'ethos';
  const [kind, setKind] = useState<Kind>(savedKind);
  // Secrets start empty: the saved ones are never sent to the browser.
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(saved ?? {}).filter(([name, v]) => v !== '********' && name !== 'kind').map(([name, v]) => [name, String(v)])),
  );
  const settings = SETTINGS[kind];

  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, unknown> = { kind };
      // Left empty: an optional setting takes its default, a secret stays as saved.
      for (const s of settings) if (values[s.name]?.trim()) body[s.name] = valueFor(s, s.type === 'secret' ? values[s.name] : values[s.name].trim());
      return put<ConnectionView>(PATH, body);
    },
    onSuccess: (next) => {
      onNote('Connection saved.');
      client.setQueryData(['sis-connection'], next);
    },
  });
  const errors = fieldErrors(save.error);
  const shownErrors = new Set(['kind', ...settings.map((s) => s.name)]);
  const otherErrors = Object.entries(errors).filter(([field]) => !shownErrors.has(field));

  function submit(e: FormEvent) {
    e.preventDefault();
    onNote(null);
    save.mutate();
  }
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const secretSaved = (name: string) => saved?.[name] === '********' && kind === savedKind;

  return (
    <form onSubmit={submit} className="card space-y-3" noValidate aria-label="SIS connection">
      {save.error && !Object.keys(errors).length ? <ErrorAlert error={save.error} /> : null}
      {otherErrors.length > 0 && (
        <Alert title="Check the settings">
          {otherErrors.map(([field, message]) => (
            <p key={field}>
              {field}: {message}
            </p>
          ))}
        </Alert>
      )}
      <Field label="SIS" error={errors.kind}>
        {(p) => (
          <select {...p} className="input" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {(Object.keys(KIND_LABELS) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {settings.map((s) => (
        <Field
          key={`${kind}-${s.name}`}
          label={s.label}
          error={errors[s.name]}
          hint={s.type === 'secret' && secretSaved(s.name) ? 'Saved (not shown). Leave blank to keep it; a new address needs it typed again.' : s.hint}
        >
          {(p) =>
            s.type === 'layout' ? (
              <select {...p} className="input" value={values.layout ?? 'uiuc'} onChange={(e) => set('layout', e.target.value)}>
                <option value="uiuc">UIUC course explorer</option>
                <option value="generic">Generic</option>
              </select>
            ) : (
              <input
                {...p}
                className="input"
                type={s.type === 'secret' ? 'password' : s.type === 'number' ? 'text' : s.type}
                inputMode={s.type === 'number' ? 'numeric' : undefined}
                autoComplete={s.type === 'secret' ? 'new-password' : 'off'}
                placeholder={s.type === 'secret' && secretSaved(s.name) ? 'saved — leave blank to keep' : undefined}
                value={values[s.name] ?? ''}
                onChange={(e) => set(s.name, e.target.value)}
              />
            )
          }
        </Field>
      ))}
      <button type="submit" className="btn btn-primary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save connection'}
      </button>
    </form>
  );
}
