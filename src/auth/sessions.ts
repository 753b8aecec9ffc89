// Password sign-in and the session behind the cookie. The cookie holds a random id; the database
// holds its SHA-256 and the CSRF token the client must echo on cookie-authenticated writes.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { hashPassword, randomSecret, sha256, verifyPassword } from './secrets.ts';
import { findUserByEmail } from './users.ts';

export const SESSION_HOURS = 12;

// Verifying against a fixed hash when the email is unknown keeps the response time the same, so
// timing does not reveal which emails have accounts.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(randomSecret()));

export async function signIn(db: Kysely<DB>, email: string, password: string) {
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
      expires_at: sql`now() + make_interval(hours => ${SESSION_HOURS})` as never,
    })
    .execute();
  return { sessionId, csrfToken, userId: user.id };
}

export async function signOut(db: Kysely<DB>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', sha256(sessionId)).execute();
}
