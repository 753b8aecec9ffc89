// Integration notifications: after each nightly run, subscribers get an email ("errors only" when
// the run met errors, or "every nightly run") over SMTP, and a digest of posting errors that
// appeared since the last one; each optionally as a webhook POST signed with HMAC-SHA256 (header
// x-coursebridge-signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>, timestamp in
// x-coursebridge-timestamp). A subscriber is told only what their role lets them see now: nothing
// without integrationStatus.view, and under a department-scoped role only of records of their
// departments (src/store/record-departments.ts). Webhooks go only where src/sync/webhook-target.ts allows.
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { SecretBox } from '../auth/secret-box.ts';
import type { DB } from '../db/schema.ts';
import type { SisMessage } from '../domain/integration-status.ts';
import { departmentsOf, reaches, type ScopedRecordType } from '../store/record-departments.ts';
import { digestDelivered, digestMissed, subscribersToNotify, webhookSecretContext, type Channel, type Subscriber } from './notification-subscriptions.ts';
import { postedLabels } from './posted-labels.ts';
import { getRun } from './runs.ts';
import { postWebhook, WebhookTargetRefused, webhookUrlProblem, type WebhookPolicy } from './webhook-target.ts';

export interface SmtpSettings {
  /** e.g. smtp://user:pass@mail.example.edu:587 */
  url: string;
  from: string;
  /**
   * How long connecting, the server's greeting and each exchange may take (default 10 s).
   * Nodemailer's own defaults (2 min, 30 s, 10 min) held the nightly job for minutes per
   * subscriber while a mail server was unreachable.
   */
  timeoutMs?: number;
}

export interface RunSummary {
  runId: string;
  trigger: string;
  status: string;
  errors: number;
  /** Null in a department-scoped subscriber's notice: the run's posts are counted for the whole institution. */
  posted: number | null;
  /** Null in a department-scoped subscriber's notice (their failed posts are among `errors`). */
  pushFailures: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  items: { type: string; term: string | null; status: string; error: string | null }[];
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

interface Message {
  subject: string;
  text: string;
  payload: object;
}

const failed = (item: RunSummary['items'][number]) => item.status === 'failed' || item.status === 'refused';
const hasIssues = (s: RunSummary) => s.errors > 0 || (s.pushFailures ?? 0) > 0;

export class Notifier {
  readonly #db: Kysely<DB>;
  readonly #smtp: SmtpSettings | null;
  readonly #logger: Logger | undefined;
  readonly #clock: () => Date;
  readonly #webhooks: WebhookPolicy;
  /** Opens the webhook keys, stored encrypted. */
  readonly #box: SecretBox;

  constructor(
    db: Kysely<DB>,
    smtp: SmtpSettings | null,
    clock: () => Date,
    logger?: Logger,
    webhooks: WebhookPolicy = { allowLoopback: false },
    box = new SecretBox(null),
  ) {
    this.#db = db;
    this.#box = box;
    this.#smtp = smtp;
    this.#clock = clock;
    this.#logger = logger;
    this.#webhooks = webhooks;
  }

  /** Why a subscriber may not save this webhook URL, or null. */
  webhookUrlProblem(url: string): Promise<string | null> {
    return webhookUrlProblem(url, this.#webhooks);
  }

  async summary(runId: string, push: { posted: number; failed: number }): Promise<RunSummary> {
    const run = await getRun(this.#db, runId);
    const errors = await this.#db
      .selectFrom('merge_run_changes')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('run_id', '=', runId)
      .where('kind', 'in', ['error', 'conflict'])
      .executeTakeFirstOrThrow();
    return {
      runId,
      trigger: run.trigger,
      status: run.status,
      errors: errors.n + run.items.filter(failed).length,
      posted: push.posted,
      pushFailures: push.failed,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      items: run.items.map((i) => ({ type: i.type, term: i.term, status: i.status, error: i.error })),
    };
  }

  /** Sends the run's notifications; failures are logged, never thrown (the run is done). */
  async runFinished(summary: RunSummary): Promise<Delivered> {
    const subscribers = await subscribersToNotify(this.#db);
    const reported = subscribers.some((s) => s.departmentIds) ? await reportedDepartments(this.#db, summary.runId) : [];
    const sent: Delivered = { emails: 0, webhooks: 0, subscribers: 0 };
    const transport = this.#transport();
    for (const s of subscribers) {
      const view = s.departmentIds ? scopedSummary(summary, reported, s.departmentIds) : summary;
      if (s.mode !== 'every_run' && !hasIssues(view)) continue;
      sent.subscribers++;
      const message = runMessage(view);
      for (const channel of this.#channels(s)) if (await this.#send(transport, s, channel, message, { runId: summary.runId })) count(sent, channel);
    }
    transport?.close();
    return sent;
  }

  #digest: Promise<{ errors: number } & Delivered> | null = null;

  /**
   * Sends each subscriber the posting errors that appeared since their last digest (real-time
   * posts fail between nightly runs; nobody should learn of them only the next morning). One
   * process claims each window; a channel (email, webhook) that could not take its digest is
   * owed those errors and gets them with its next one, whatever the other subscribers' did.
   * One digest at a time per process: a slow one (SMTP, webhook timeouts) overlapped by the next
   * tick would send that tick the errors it still owes.
   */
  errorDigest(): Promise<{ errors: number } & Delivered> {
    this.#digest ??= this.#sendDigest().finally(() => {
      this.#digest = null;
    });
    return this.#digest;
  }

  async #sendDigest(): Promise<{ errors: number } & Delivered> {
    // A failure is stamped before its transaction commits: leave in-flight ones to the next window.
    const until = new Date(this.#clock().getTime() - DIGEST_SETTLE_MS);
    const window = await claimWindow(this.#db, 'integration_errors', until);
    const sent = { errors: 0, emails: 0, webhooks: 0, subscribers: 0 };
    if (!window) return sent;
    const subscribers = await subscribersToNotify(this.#db);
    // Where each channel's digest begins: this window, or the first one it missed.
    const fromOf = (s: Subscriber, channel: Channel) => {
      const missed = s.missedSince[channel];
      return missed && missed < window.from ? missed : window.from;
    };
    const earliest = new Date(Math.min(window.from.getTime(), ...subscribers.flatMap((s) => this.#channels(s).map((c) => fromOf(s, c).getTime()))));
    const errors = await errorsBetween(this.#db, earliest, window.until);
    sent.errors = errors.filter((e) => e.at > window.from).length;
    const transport = this.#transport();
    for (const s of subscribers) {
      let told = false;
      for (const channel of this.#channels(s)) {
        const from = fromOf(s, channel);
        const theirs = errors.filter((e) => e.at > from && reaches(s.departmentIds, e.departments));
        if (!theirs.length) {
          if (s.missedSince[channel]) await digestDelivered(this.#db, s.userId, channel, window.until);
          continue;
        }
        told = true;
        if (await this.#send(transport, s, channel, digestMessage(theirs, from, window.until))) {
          count(sent, channel);
          await digestDelivered(this.#db, s.userId, channel, window.until);
        } else await digestMissed(this.#db, s.userId, channel, from);
      }
      if (told) sent.subscribers++;
    }
    transport?.close();
    return sent;
  }

  /** The channels a subscriber is reached by: email when SMTP is set up, their webhook if any. */
  #channels(s: Subscriber): Channel[] {
    return [...(this.#smtp ? ['email' as const] : []), ...(s.webhookUrl ? ['webhook' as const] : [])];
  }

  #transport(): Transporter | null {
    if (!this.#smtp) return null;
    const timeout = this.#smtp.timeoutMs ?? 10_000;
    return nodemailer.createTransport({ url: this.#smtp.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
  }

  /** Sends one message by one channel; answers whether it went. Failures are logged, never thrown. */
  async #send(transport: Transporter | null, s: Subscriber, channel: Channel, message: Message, context: object = {}): Promise<boolean> {
    if (channel === 'email') {
      try {
        await transport!.sendMail({ from: this.#smtp!.from, to: s.email, subject: message.subject, text: message.text });
        return true;
      } catch (error) {
        this.#logger?.error({ err: error, ...context }, 'notification email failed');
        return false;
      }
    }
    const body = JSON.stringify(message.payload);
    const timestamp = String(Math.floor(this.#clock().getTime() / 1000));
    try {
      // A key that does not open (another COURSEBRIDGE_SECRETS_KEY) fails the send: never unsigned.
      const secret = s.webhookSecret && this.#box.open(s.webhookSecret, `The webhook key of user ${s.userId}`, webhookSecretContext(s.userId));
      const headers = {
        'content-type': 'application/json',
        'x-coursebridge-timestamp': timestamp,
        ...(secret && { 'x-coursebridge-signature': signWebhook(secret, timestamp, body) }),
      };
      const status = await postWebhook(s.webhookUrl!, { headers, body, timeoutMs: 10_000 }, this.#webhooks);
      if (status >= 200 && status < 300) return true;
      this.#logger?.warn({ status, ...context }, 'notification webhook refused');
    } catch (error) {
      if (error instanceof WebhookTargetRefused)
        this.#logger?.warn({ user: s.userId, reason: error.message, ...context }, 'notification webhook not sent: its address is not allowed');
      else this.#logger?.error({ err: error, ...context }, 'notification webhook failed');
    }
    return false;
  }
}

const count = (sent: Delivered, channel: Channel) => (channel === 'email' ? sent.emails++ : sent.webhooks++);

function runMessage(summary: RunSummary): Message {
  const issues = summary.errors + (summary.pushFailures ?? 0);
  const scoped = summary.posted === null;
  return {
    subject: `Coursebridge ${summary.trigger} sync: ${issues ? `${issues} issue(s)${scoped ? ' in your departments' : ''}` : 'no issues'}`,
    text: [
      `Run ${summary.runId} (${summary.trigger}) finished: ${summary.status}.`,
      scoped
        ? `Errors and conflicts on records of your departments, and parts of the run that failed: ${summary.errors}.`
        : `Posted to the SIS: ${summary.posted}; posts failed: ${summary.pushFailures}; errors and conflicts in the report: ${summary.errors}.`,
      '',
      ...summary.items.map((i) => `- ${i.type}${i.term ? ` ${i.term}` : ''}: ${i.status}${i.error ? ` (${i.error})` : ''}`),
      '',
      'Open Integration health in Coursebridge for the details.',
    ].join('\n'),
    payload: { event: 'sync.run.finished', ...summary },
  };
}

/**
 * What a department-scoped subscriber is told of a run: how each type × term went (their records
 * were in it), and the errors and conflicts on records of their departments, with the parts of the
 * run that failed. Not the institution's totals, nor the items' messages, which count every
 * department's records.
 */
function scopedSummary(summary: RunSummary, reported: string[][], departmentIds: readonly string[]): RunSummary {
  return {
    ...summary,
    errors: reported.filter((departments) => reaches(departmentIds, departments)).length + summary.items.filter(failed).length,
    posted: null,
    pushFailures: null,
    items: summary.items.map((i) => ({ ...i, error: null })),
  };
}

const REPORTED_KINDS: Record<string, ScopedRecordType> = { courses: 'course', sections: 'section', relationships: 'relationship' };

/** The departments of each record with an error or a conflict in the run's report (records of a department only). */
async function reportedDepartments(db: Kysely<DB>, runId: string): Promise<string[][]> {
  const rows = await db
    .selectFrom('merge_run_changes as ch')
    .select((eb) => {
      const id = sql<string>`${eb.ref('ch.entity_id')}::uuid`;
      const branches = Object.entries(REPORTED_KINDS).map(([type, kind]) => sql`when ${sql.lit(type)} then ${departmentsOf(db, kind, id)}`);
      return sql<string[]>`case ${eb.ref('ch.merge_type')} ${sql.join(branches, sql` `)} end`.as('departments');
    })
    .where('ch.run_id', '=', runId)
    .where('ch.kind', 'in', ['error', 'conflict'])
    .where('ch.merge_type', 'in', Object.keys(REPORTED_KINDS))
    .where('ch.entity_id', 'is not', null)
    .execute();
  return rows.map((r) => r.departments);
}

interface DigestError {
  type: 'section' | 'relationship';
  id: string;
  label: string;
  at: Date;
  message: string;
  departments: string[];
}

/** Records now in error (not dismissed) whose last failed attempt falls in (from, until]. */
async function errorsBetween(db: Kysely<DB>, from: Date, until: Date): Promise<DigestError[]> {
  const rows = await db
    .selectFrom('integration_status as st')
    .select(['st.entity_type', 'st.entity_id', 'st.messages', 'st.last_attempt_at'])
    .select((eb) =>
      sql<string[]>`case ${eb.ref('st.entity_type')} when 'section' then ${departmentsOf(db, 'section', eb.ref('st.entity_id'))} else ${departmentsOf(db, 'relationship', eb.ref('st.entity_id'))} end`.as(
        'departments',
      ),
    )
    .where('st.status', '=', 'error')
    .where('st.dismissed_at', 'is', null)
    .where('st.last_attempt_at', '>', from)
    .where('st.last_attempt_at', '<=', until)
    .orderBy('st.last_attempt_at')
    .execute();
  if (!rows.length) return [];
  const labels = await postedLabels(db, rows.map((r) => ({ type: r.entity_type, id: r.entity_id })));
  return rows.map((r) => ({
    type: r.entity_type,
    id: r.entity_id,
    label: labels.get(r.entity_id) ?? `${r.entity_type} ${r.entity_id}`,
    at: new Date(r.last_attempt_at!),
    message: (r.messages as SisMessage[]).map((m) => m.message).join('; '),
    departments: r.departments,
  }));
}

function digestMessage(errors: DigestError[], from: Date, until: Date): Message {
  return {
    subject: `Coursebridge: ${errors.length} new integration error(s)`,
    text: [
      `${errors.length} record(s) could not be posted to the SIS between ${from.toISOString()} and ${until.toISOString()}:`,
      '',
      ...errors.map((e) => `- ${e.label}: ${e.message}`),
      '',
      'Open Integration health in Coursebridge to retry or dismiss them.',
    ].join('\n'),
    payload: {
      event: 'integration.errors',
      from: from.toISOString(),
      until: until.toISOString(),
      errors: errors.map((e) => ({ type: e.type, id: e.id, label: e.label, at: e.at.toISOString(), message: e.message })),
    },
  };
}

export interface Delivered {
  emails: number;
  webhooks: number;
  /** Subscribers something was meant for. */
  subscribers: number;
}

/** How long a digest waits before it counts a failure: longer than any post's final transaction. */
const DIGEST_SETTLE_MS = 15_000;

/**
 * Claims the window (last end, `until`] of a digest with a compare-and-set on its watermark, so
 * that of several processes exactly one sends it. A new installation starts from now.
 */
async function claimWindow(db: Kysely<DB>, name: string, until: Date) {
  const inserted = await db.insertInto('notification_watermarks').values({ name, until }).onConflict((oc) => oc.column('name').doNothing()).returning('name').executeTakeFirst();
  if (inserted) return null;
  const { until: last } = await db.selectFrom('notification_watermarks').select('until').where('name', '=', name).executeTakeFirstOrThrow();
  const from = new Date(last);
  if (until <= from) return null;
  const claimed = await db.updateTable('notification_watermarks').set({ until }).where('name', '=', name).where('until', '=', from).returning('name').executeTakeFirst();
  if (!claimed) return null;
  return { from, until };
}
