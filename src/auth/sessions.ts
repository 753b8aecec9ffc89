// Password sign-in and the session behind the cookie. The cookie holds a random id; the database
// holds its SHA-256 and the CSRF token the client must echo on cookie-authenticated writes.
// A session ends SESSION_HOURS after sign-in, or sooner once it goes unused for the idle limit.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { hashPassword, randomSecret, sha256, verifyPassword } from './secrets.ts';
import { findUserByEmail } from './users.ts';

export const SESSION_HOURS = 12;
/** The idle limit unless COURSEBRIDGE_SESSION_IDLE_MINUTES says otherwise. */
export const SESSION_IDLE_MINUTES = 60;

/**
 * A session's use is written at most once a minute: every API request looks its session up, and a
 * write each would cost the hot path (~200 saves/s) a row version per request. The idle clock is
 * then up to a minute behind, so a session ends up to a minute early, never late.
 */
export const SESSION_TOUCH_MS = 60_000;

export interface SessionPolicy {
  idleMinutes: number;
  /**
   * The clock sessions are measured by (the wall clock; tests inject one). Apart from the app's
   * `clock`, which tests move across terms while people stay signed in.
   */
  clock: () => Date;
}

export const sessionPolicy = (options: Partial<SessionPolicy> = {}): SessionPolicy => ({
  idleMinutes: options.idleMinutes ?? SESSION_IDLE_MINUTES,
  clock: options.clock ?? (() => new Date()),
});

/** A session last used at or before this instant has gone idle by `now`. */
export const idleCutoff = (policy: SessionPolicy, now: Date) => new Date(now.getTime() - policy.idleMinutes * 60_000);

// Verifying against a fixed hash when the email is unknown keeps the response time the same, so
// timing does not reveal which emails have accounts.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(randomSecret()));

export async function signIn(db: Kysely<DB>, email: string, password: string, now: Date) {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.password_hash ?? (await decoy()), password);
  if (!user || !user.password_hash || !ok || user.disabled) return undefined;
  const sessionId = randomSecret();
  const csrfToken = randomSecret();
  await db
    .insertInto('sessions')
    .values({
      id_hash: sha256(sessionId),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now,
      last_used_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000),
    })
    .execute();
  return { sessionId, csrfToken, userId: user.id };
}

export async function signOut(db: Kysely<DB>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', sha256(sessionId)).execute();
}

/** Deletes the sessions that ended by `now` (idle, or past their lifetime); answers how many. */
export async function deleteEndedSessions(db: Kysely<DB>, policy: SessionPolicy, now = policy.clock()): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_used_at', '<=', idleCutoff(policy, now))]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
