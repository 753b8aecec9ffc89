// The institution's time zone (GET/PUT /api/v1/admin/institution): the one zone phases, the
// nightly sync and the ended-term warnings are read in. Shown on the merge settings screen, beside
// the nightly time it gives meaning to, but saved on its own: it is not a merge setting.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors, get, put } from '../api.ts';
import { ErrorAlert, Field } from '../ui.tsx';

export interface Institution {
  timeZone: string;
  version: number;
  updatedAt: string;
}

export const useInstitution = () => useQuery({ queryKey: ['institution'], queryFn: () => get<Institution>('/api/v1/admin/institution') });

export function InstitutionSettings() {
  const institution = useInstitution();
  if (institution.error) return <ErrorAlert error={institution.error} />;
  if (!institution.data) return <p>Loading the institution time zone…</p>;
  return <TimeZoneEditor saved={institution.data.timeZone} />;
}

function TimeZoneEditor({ saved }: { saved: string }) {
  const client = useQueryClient();
  const [timeZone, setTimeZone] = useState(saved);
  const [status, setStatus] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => put<Institution>('/api/v1/admin/institution', { timeZone }),
    onSuccess: (next) => {
      client.setQueryData(['institution'], next);
      setStatus(`Saved: ${next.timeZone}.`);
    },
    onError: () => setStatus(null),
  });
  const errors = fieldErrors(save.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form onSubmit={submit} className="card space-y-2" aria-labelledby="institution-h" noValidate>
      <h2 id="institution-h" className="text-lg font-semibold">
        Institution
      </h2>
      <p className="text-sm text-slate-600">Phases, the nightly sync and ended-term warnings are read in this time zone.</p>
      <div className="flex flex-wrap items-start gap-3">
        <Field label="Time zone" error={errors.timeZone} hint="IANA name, e.g. America/Chicago" className="w-72">
          {(p) => <input {...p} className="input" list="time-zones" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />}
        </Field>
        <datalist id="time-zones">
          {supportedTimeZones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <button type="submit" className="btn btn-primary mt-6" disabled={save.isPending || timeZone === saved}>
          Save time zone
        </button>
        {status && (
          <span role="status" className="mt-7 text-sm text-green-800">
            {status}
          </span>
        )}
      </div>
      {save.error && !errors.timeZone && <ErrorAlert error={save.error} />}
    </form>
  );
}

function supportedTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}
