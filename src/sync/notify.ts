// Integration notifications: after each nightly run, every subscriber gets an email ("errors
// only" when the run met errors, or "every nightly run") over SMTP, and optionally a webhook POST
// signed with HMAC-SHA256 (header x-coursebridge-signature: sha256=<hex of HMAC(secret,
// "<timestamp>.<body>")>, timestamp in x-coursebridge-timestamp).
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { getRun } from './runs.ts';

export interface SmtpSettings {
  /** e.g. smtp://user:pass@mail.example.edu:587 */
  url: string;
  from: string;
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

  constructor(db: Kysely<DB>, smtp: SmtpSettings | null, clock: () => Date, logger?: Logger) {
    this.#db = db;
    this.#smtp = smtp;
    this.#clock = clock;
    this.#logger = logger;
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
  async runFinished(summary: RunSummary): Promise<{ emails: number; webhooks: number }> {
    const subscribers = await this.#db
      .selectFrom('notification_subscriptions as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .select(['n.mode', 'n.email', 'n.webhook_url', 'n.webhook_secret', 'u.email as user_email', 'u.disabled'])
      .execute();
    const sent = { emails: 0, webhooks: 0 };
    const issues = summary.errors > 0 || summary.pushFailures > 0;
    const transport = this.#smtp ? nodemailer.createTransport(this.#smtp.url) : null;
    const subject = `Coursebridge ${summary.trigger} sync: ${issues ? `${summary.errors + summary.pushFailures} issue(s)` : 'no issues'}`;
    const text = [
      `Run ${summary.runId} (${summary.trigger}) finished: ${summary.status}.`,
      `Posted to the SIS: ${summary.posted}; posts failed: ${summary.pushFailures}; errors and conflicts in the report: ${summary.errors}.`,
      '',
      ...summary.items.map((i) => `- ${i.type}${i.term ? ` ${i.term}` : ''}: ${i.status}${i.error ? ` (${i.error})` : ''}`),
      '',
      'Open Integration health in Coursebridge for the details.',
    ].join('\n');
    for (const s of subscribers) {
      if (s.disabled) continue;
      if (s.mode === 'errors' && !issues) continue;
      if (transport) {
        try {
          await transport.sendMail({ from: this.#smtp!.from, to: s.email ?? s.user_email, subject, text });
          sent.emails++;
        } catch (error) {
          this.#logger?.error({ err: error, runId: summary.runId }, 'notification email failed');
        }
      }
      if (s.webhook_url) {
        const body = JSON.stringify({ event: 'sync.run.finished', ...summary });
        const timestamp = String(Math.floor(this.#clock().getTime() / 1000));
        try {
          const response = await fetch(s.webhook_url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-coursebridge-timestamp': timestamp,
              ...(s.webhook_secret && { 'x-coursebridge-signature': signWebhook(s.webhook_secret, timestamp, body) }),
            },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          if (response.ok) sent.webhooks++;
          else this.#logger?.warn({ status: response.status, runId: summary.runId }, 'notification webhook refused');
        } catch (error) {
          this.#logger?.error({ err: error, runId: summary.runId }, 'notification webhook failed');
        }
      }
    }
    transport?.close();
    return sent;
  }
}
