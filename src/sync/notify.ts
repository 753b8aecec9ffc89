// Integration notifications: after each nightly run, every subscriber gets an email ("errors
// only" when the run met errors, or "every nightly run") over SMTP, and every subscriber gets a
// digest of posting errors that appeared since the last one; each optionally as a webhook POST
// signed with HMAC-SHA256 (header x-coursebridge-signature: sha256=<hex of HMAC(secret,
// "<timestamp>.<body>")>, timestamp in x-coursebridge-timestamp). Webhooks go only where
// src/sync/webhook-target.ts allows.
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { SisMessage } from '../domain/integration-status.ts';
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
  posted: number;
  pushFailures: number;
  startedAt: string | null;
  finishedAt: string | null;
  items: { type: string; term: string | null; status: string; error: string | null }[];
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class Notifier {
  readonly #db: Kysely<DB>;
  readonly #smtp: SmtpSettings | null;
  readonly #logger: Logger | undefined;
  readonly #clock: () => Date;
  readonly #webhooks: WebhookPolicy;

  constructor(db: Kysely<DB>, smtp: SmtpSettings | null, clock: () => Date, logger?: Logger, webhooks: WebhookPolicy = { allowLoopback: false }) {
    this.#db = db;
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
    const failedItems = run.items.filter((i) => i.status === 'failed' || i.status === 'refused').length;
    return {
      runId,
      trigger: run.trigger,
      status: run.status,
      errors: errors.n + failedItems,
      posted: push.posted,
      pushFailures: push.failed,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      items: run.items.map((i) => ({ type: i.type, term: i.term, status: i.status, error: i.error })),
    };
  }

  /** Sends the run's notifications; failures are logged, never thrown (the run is done). */
  async runFinished(summary: RunSummary): Promise<Delivered> {
    const issues = summary.errors > 0 || summary.pushFailures > 0;
    const subject = `Coursebridge ${summary.trigger} sync: ${issues ? `${summary.errors + summary.pushFailures} issue(s)` : 'no issues'}`;
    const text = [
      `Run ${summary.runId} (${summary.trigger}) finished: ${summary.status}.`,
      `Posted to the SIS: ${summary.posted}; posts failed: ${summary.pushFailures}; errors and conflicts in the report: ${summary.errors}.`,
      '',
      ...summary.items.map((i) => `- ${i.type}${i.term ? ` ${i.term}` : ''}: ${i.status}${i.error ? ` (${i.error})` : ''}`),
      '',
      'Open Integration health in Coursebridge for the details.',
    ].join('\n');
    return this.#deliver((mode) => mode === 'every_run' || issues, { subject, text, payload: { event: 'sync.run.finished', ...summary } }, { runId: summary.runId });
  }

  #digest: Promise<{ errors: number } & Delivered> | null = null;

  /**
   * Mails every subscriber the posting errors that appeared since the last digest (real-time
   * posts fail between nightly runs; nobody should learn of them only the next morning). One
   * process claims each window; a window nobody could be told about is given back and retried.
   * One digest at a time per process: a slow one (SMTP, webhook timeouts) overlapped by the next
   * tick could not give its window back once that tick had moved the watermark on.
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
    const none = { errors: 0, emails: 0, webhooks: 0, subscribers: 0 };
    if (!window) return none;
    const rows = await this.#db
      .selectFrom('integration_status')
      .select(['entity_type', 'entity_id', 'term_id', 'messages', 'last_attempt_at'])
      .where('status', '=', 'error')
      .where('dismissed_at', 'is', null)
      .where('last_attempt_at', '>', window.from)
      .where('last_attempt_at', '<=', window.until)
      .orderBy('last_attempt_at')
      .execute();
    if (!rows.length) return none;
    const labels = await postedLabels(this.#db, rows.map((r) => ({ type: r.entity_type, id: r.entity_id })));
    const errors = rows.map((r) => ({
      type: r.entity_type,
      id: r.entity_id,
      label: labels.get(r.entity_id) ?? `${r.entity_type} ${r.entity_id}`,
      at: new Date(r.last_attempt_at!).toISOString(),
      message: (r.messages as SisMessage[]).map((m) => m.message).join('; '),
    }));
    const text = [
      `${errors.length} record(s) could not be posted to the SIS between ${window.from.toISOString()} and ${window.until.toISOString()}:`,
      '',
      ...errors.map((e) => `- ${e.label}: ${e.message}`),
      '',
      'Open Integration health in Coursebridge to retry or dismiss them.',
    ].join('\n');
    const sent = await this.#deliver(() => true, {
      subject: `Coursebridge: ${errors.length} new integration error(s)`,
      text,
      payload: { event: 'integration.errors', from: window.from.toISOString(), until: window.until.toISOString(), errors },
    });
    if (sent.subscribers > 0 && sent.emails + sent.webhooks === 0) await window.giveBack();
    return { errors: errors.length, ...sent };
  }

  /** Email and webhook to each enabled subscriber `wants`; failures are logged and counted, never thrown. */
  async #deliver(wants: (mode: string) => boolean, message: { subject: string; text: string; payload: object }, context: object = {}): Promise<Delivered> {
    const subscribers = (
      await this.#db
        .selectFrom('notification_subscriptions as n')
        .innerJoin('users as u', 'u.id', 'n.user_id')
        .select(['n.user_id', 'n.mode', 'n.email', 'n.webhook_url', 'n.webhook_secret', 'u.email as user_email', 'u.disabled'])
        .execute()
    ).filter((s) => !s.disabled && wants(s.mode));
    const sent: Delivered = { emails: 0, webhooks: 0, subscribers: subscribers.length };
    if (!subscribers.length) return sent;
    const timeout = this.#smtp?.timeoutMs ?? 10_000;
    const transport = this.#smtp ? nodemailer.createTransport({ url: this.#smtp.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }) : null;
    const body = JSON.stringify(message.payload);
    for (const s of subscribers) {
      if (transport) {
        try {
          await transport.sendMail({ from: this.#smtp!.from, to: s.email ?? s.user_email, subject: message.subject, text: message.text });
          sent.emails++;
        } catch (error) {
          this.#logger?.error({ err: error, ...context }, 'notification email failed');
        }
      }
      if (s.webhook_url) {
        const timestamp = String(Math.floor(this.#clock().getTime() / 1000));
        const headers = {
          'content-type': 'application/json',
          'x-coursebridge-timestamp': timestamp,
          ...(s.webhook_secret && { 'x-coursebridge-signature': signWebhook(s.webhook_secret, timestamp, body) }),
        };
        try {
          const status = await postWebhook(s.webhook_url, { headers, body, timeoutMs: 10_000 }, this.#webhooks);
          if (status >= 200 && status < 300) sent.webhooks++;
          else this.#logger?.warn({ status, ...context }, 'notification webhook refused');
        } catch (error) {
          if (error instanceof WebhookTargetRefused)
            this.#logger?.warn({ user: s.user_id, reason: error.message, ...context }, 'notification webhook not sent: its address is not allowed');
          else this.#logger?.error({ err: error, ...context }, 'notification webhook failed');
        }
      }
    }
    transport?.close();
    return sent;
  }
}

export interface Delivered {
  emails: number;
  webhooks: number;
  /** Subscribers the message was meant for. */
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
  return {
    from,
    until,
    giveBack: async () => {
      await db.updateTable('notification_watermarks').set({ until: from }).where('name', '=', name).where('until', '=', until).execute();
    },
  };
}
