// Password hashing (argon2id) and the random secrets behind sessions and API tokens. Session ids
// and tokens are 256-bit random values, so a fast SHA-256 is the right hash for storing them;
// passwords are low-entropy and get argon2id.
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane. Algorithm 2 is argon2id.
const argonOptions = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, argonOptions);
export const verifyPassword = (stored: string, password: string) => verify(stored, password).catch(() => false);

export const randomSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A password to print once on first start: long enough that nobody needs to change it to be safe. */
export const generatePassword = () => randomBytes(15).toString('base64url');

export const MIN_PASSWORD_LENGTH = 12;
