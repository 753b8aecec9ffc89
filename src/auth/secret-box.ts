// Credentials the hub stores (the SIS connection's apiKey or password, webhook signing keys) are
// encrypted at rest with AES-256-GCM, so a dump or backup of the database alone does not carry
// them. The stored form says how it was made: enc:v2:<base64 of iv | tag | ciphertext>, a random
// IV for each value, sealed with the place it is stored for (a context string) as GCM's associated
// data, so a value copied to another row or field, or left behind when its row's address is changed
// outside the hub, does not open there. enc:v1: values (no context) still open and are upgraded at
// start. A value without a prefix was stored before encryption and is read as is.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';

export const SECRETS_KEY_VARIABLE = 'COURSEBRIDGE_SECRETS_KEY';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const V1 = 'enc:v1:';
const PREFIX = 'enc:v2:';

export const SECRETS_KEY_MESSAGE = `${SECRETS_KEY_VARIABLE} must be ${KEY_BYTES} random bytes in base64 or hex, e.g. from \`openssl rand -base64 32\``;

/** The key in base64 (or base64url) or hex; undefined unless it is exactly 32 bytes. */
export function parseSecretsKey(text: string): Buffer | undefined {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
      ? Buffer.from(value, 'base64')
      : undefined;
  return key?.length === KEY_BYTES ? key : undefined;
}

export const newSecretsKey = () => randomBytes(KEY_BYTES);

export const isSealed = (stored: string) => stored.startsWith(PREFIX) || stored.startsWith(V1);

/** How answers and the audit log show a stored secret: never its value. */
export const SECRET_MASK = '********';
/** The audit log's change of a secret replaced by another: both masked, the change still told. */
export const NEW_SECRET_CHANGE = { before: SECRET_MASK, after: `${SECRET_MASK} (new key)` };

/** A secret cannot be stored: the hub has no key to encrypt it with (PostgreSQL without the variable). */
export class NoSecretsKeyError extends DomainError {
  constructor(field: string) {
    super(
      409,
      'No key to encrypt secrets',
      `${field} is stored only encrypted, and this hub has no key: set ${SECRETS_KEY_VARIABLE} (32 random bytes, base64 or hex, e.g. from \`openssl rand -base64 32\`) for every hub process and restart them.`,
      { errors: [{ field, message: `Set ${SECRETS_KEY_VARIABLE} to store it encrypted` }] },
    );
  }
}

/** A stored secret that does not open: another key (or none) than the one it was stored with, or altered. */
export class SecretUnreadableError extends DomainError {
  constructor(detail: string) {
    super(409, 'Stored secret unreadable', detail);
  }
}

/** What start found of the stored secrets: encrypted now, left in plain text (no key), not opening. */
export interface StoredSecrets {
  encrypted: number;
  plain: number;
  unreadable: number;
}

export class SecretBox {
  readonly #key: Buffer | null;
  /** Where the key comes from, named when a secret does not open with it. */
  readonly keySource: string;

  /** No key: secrets stored in plain text before encryption are still read, and none can be stored. */
  constructor(key: Buffer | null, keySource = SECRETS_KEY_VARIABLE) {
    if (key && key.length !== KEY_BYTES) throw new Error(`The secrets key must be ${KEY_BYTES} bytes`);
    this.#key = key;
    this.keySource = keySource;
  }

  get canSeal(): boolean {
    return this.#key !== null;
  }

  /**
   * The stored form of `plain`, opening only for the same `context` (where it is stored, e.g.
   * `webhook|<user id>`); `field` is named when there is no key to encrypt it with.
   */
  seal(plain: string, field: string, context: string): string {
    if (!this.#key) throw new NoSecretsKeyError(field);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  }

  /**
   * What to store for `plain` where `stored` is stored now: `stored` itself when it holds that very
   * secret for this `context` (sealing again would differ every time, and an unchanged secret must
   * store, cache and audit as unchanged), otherwise `plain` sealed. A `stored` that does not open
   * here, or is of v1 (bound to no place), is replaced.
   */
  reseal(stored: string | null | undefined, plain: string, field: string, context: string): string {
    if (stored && !stored.startsWith(V1)) {
      try {
        if (this.open(stored, field, context) === plain) return stored;
      } catch (error) {
        if (!(error instanceof SecretUnreadableError)) throw error;
      }
    }
    return this.seal(plain, field, context);
  }

  /**
   * What to store in place of a value stored before this start, counted into `found`: sealed for
   * `context` when it is in plain text or of v1 and there is a key, otherwise itself.
   */
  upgrade(stored: string, field: string, found: StoredSecrets, context: string): string {
    let plain = stored;
    if (isSealed(stored)) {
      try {
        plain = this.open(stored, field, context);
      } catch {
        found.unreadable++;
        return stored;
      }
      if (stored.startsWith(PREFIX)) return stored;
    } else if (!this.#key) {
      found.plain++;
      return stored;
    }
    found.encrypted++;
    return this.seal(plain, field, context);
  }

  /**
   * The secret a stored value holds where `context` says it is stored (a v1 value is bound to no
   * place); `what` names it when it does not open.
   */
  open(stored: string, what: string, context: string): string {
    if (!isSealed(stored)) return stored;
    if (!this.#key) throw new SecretUnreadableError(`${what} is stored encrypted, and ${SECRETS_KEY_VARIABLE} is not set: set it to the key it was stored with.`);
    const bound = stored.startsWith(PREFIX);
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64'); // V1 is as long
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      if (bound) decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // GCM's tag fails for a wrong key, another place and an altered value alike: never answer garbage.
      const why = bound
        ? ' where it is stored now: it was stored with another key, or altered, or saved for another place and changed or copied here outside the hub (another address, kind, field or user)'
        : ': it was stored with another key, or altered';
      throw new SecretUnreadableError(`${what} does not open with ${this.keySource}${why}. Save it again with its key, or set ${SECRETS_KEY_VARIABLE} to the key it was stored with.`);
    }
  }
}
