// My integration notifications (/api/v1/me/integration-notifications): after each nightly run
// (only those with errors, or every one) and as a digest of new posting errors, by email and
// optionally a signed webhook. The webhook key is never shown again once saved: left empty, the
// saved key stays.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, fieldErrors, get, put } from '../api.ts';
import { useSession } from '../session.tsx';
import { Alert, ErrorAlert, Field } from '../ui.tsx';

interface Subscription {
  mode: 'errors' | 'every_run';
  email: string | null;
  webhookUrl: string | null;
  /** Masked ("********") when a key is saved. */
  webhookSecret: string | null;
}

const PATH = '/api/v1/me/integration-notifications';

export function Notifications() {
  const saved = useQuery({ queryKey: ['my-notifications'], queryFn: () => get<Subscription | null>(PATH) });
  const [note, setNote] = useState<string | null>(null);
  return (
    <section className="max-w-2xl space-y-3" aria-labelledby="notify-h">
      <h2 id="notify-h" className="text-lg font-semibold">
        My integration notifications
      </h2>
      <p className="text-sm text-slate-600" data-testid="notify-state">
        {saved.isLoading
          ? 'Loading…'
          : saved.data
            ? `Subscribed: ${saved.data.mode === 'errors' ? 'nightly runs with errors' : 'every nightly run'}, and new posting errors as they appear.`
            : 'Not subscribed: you get no integration notifications.'}
      </p>
      {note && <Alert kind="success">{note}</Alert>}
      {saved.error ? <ErrorAlert error={saved.error} /> : null}
      {/* The form starts from what is saved, so it waits for it; a new saved state starts it afresh. */}
      {saved.isSuccess && <SubscriptionForm key={JSON.stringify(saved.data)} saved={saved.data} onNote={setNote} />}
    </section>
  );
}

function SubscriptionForm({ saved, onNote }: { saved: Subscription | null; onNote: (note: string | null) => void }) {
  const client = useQueryClient();
  const { me } = useSession();
  const [mode, setMode] = useState<Subscription['mode']>(saved?.mode ?? 'errors');
  const [email, setEmail] = useState(saved?.email ?? '');
  const [webhookUrl, setWebhookUrl] = useState(saved?.webhookUrl ?? '');
  const [webhookSecret, setWebhookSecret] = useState('');
  const hasKey = Boolean(saved?.webhookSecret);

  const save = useMutation({
    mutationFn: () =>
      put(PATH, {
        mode,
        email: email.trim() || null,
        webhookUrl: webhookUrl.trim() || null,
        // No URL, no key; an empty key field keeps the saved one.
        ...(!webhookUrl.trim() ? { webhookSecret: null } : webhookSecret ? { webhookSecret } : {}),
      }),
    onSuccess: () => {
      onNote('Subscription saved.');
      void client.invalidateQueries({ queryKey: ['my-notifications'] });
    },
  });
  const remove = useMutation({
    mutationFn: () => del(PATH),
    onSuccess: () => {
      onNote('You will get no more integration notifications.');
      void client.invalidateQueries({ queryKey: ['my-notifications'] });
    },
  });
  const errors = fieldErrors(save.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    onNote(null);
    save.mutate();
  }

  return (
    <>
      {save.error && !Object.keys(errors).length ? <ErrorAlert error={save.error} /> : null}
      {remove.error ? <ErrorAlert error={remove.error} /> : null}
      <form onSubmit={submit} className="card space-y-3" noValidate aria-label="Integration notifications">
        <fieldset>
          <legend className="mb-1 font-medium text-slate-700">Nightly run report</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === 'errors'} onChange={() => setMode('errors')} /> Only when a run meets errors
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === 'every_run'} onChange={() => setMode('every_run')} /> After every nightly run
          </label>
          <p className="mt-1 text-xs text-slate-500">Either way, posts the SIS refuses between nightly runs reach you as a digest, at most once a minute.</p>
        </fieldset>
        <Field label="Email" error={errors.email} hint={`Left empty: ${me?.user?.email ?? 'your account email'}`}>
          {(p) => <input {...p} type="email" className="input" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Webhook URL (optional)" error={errors.webhookUrl} hint="Receives the same notifications as JSON (POST).">
          {(p) => <input {...p} type="url" className="input" value={webhookUrl} onChange={(e) => setWebhookUrl(e.target.value)} placeholder="https://hooks.example.edu/coursebridge" />}
        </Field>
        <Field
          label="Webhook signing key"
          error={errors.webhookSecret}
          hint={
            hasKey
              ? 'A key is saved (not shown). Leave empty to keep it, or type a new one (16 characters or more).'
              : 'At least 16 characters; each POST is signed with HMAC-SHA256 in x-coursebridge-signature.'
          }
        >
          {(p) => <input {...p} type="password" autoComplete="new-password" className="input" value={webhookSecret} onChange={(e) => setWebhookSecret(e.target.value)} disabled={!webhookUrl.trim()} />}
        </Field>
        <div className="flex gap-2">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : saved ? 'Save changes' : 'Subscribe'}
          </button>
          {saved && (
            <button type="button" className="btn" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Unsubscribe
            </button>
          )}
        </div>
      </form>
    </>
  );
}
