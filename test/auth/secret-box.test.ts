// Secrets at rest: what is stored says how it was encrypted, opens only with its key and only where
// it was stored, and never opens to garbage; the key comes from COURSEBRIDGE_SECRETS_KEY or,
// embedded, a file of its own.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newSecretsKey, NoSecretsKeyError, SecretBox, SecretUnreadableError } from '../../src/auth/secret-box.ts';
import { secretBoxFor } from '../../src/cli/open.ts';
import { loadConfig } from '../../src/config.ts';
import { secretsKeyFile } from '../../src/db/data-dir.ts';
import { sealedV1 as sealedV1With } from './sealed-v1.ts';

const key = newSecretsKey();
const box = new SecretBox(key);
const SECRET = 'ethos-api-key-6f1c2a';
const PLACE = 'sis_connection|apiKey|ethos|https://ethos.example.edu';

const sealedV1 = (plain: string, with_ = key) => sealedV1With(plain, with_);

describe('a secret box', () => {
  it('stores a secret as enc:v2: and base64, a new IV each time, and opens it again', () => {
    const sealed = box.seal(SECRET, 'apiKey', PLACE);
    expect(sealed).toMatch(/^enc:v2:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain(SECRET);
    expect(box.seal(SECRET, 'apiKey', PLACE)).not.toBe(sealed);
    expect(box.open(sealed, 'apiKey', PLACE)).toBe(SECRET);
    expect(box.open(box.seal('ключ 🔑', 'x', PLACE), 'x', PLACE)).toBe('ключ 🔑');
  });

  it('refuses a value altered in any byte: an error, never garbage', () => {
    const raw = Buffer.from(box.seal(SECRET, 'apiKey', PLACE).slice('enc:v2:'.length), 'base64');
    for (const at of [0, 12, 28, raw.length - 1]) {
      const altered = Buffer.from(raw);
      altered[at] ^= 1;
      expect(() => box.open(`enc:v2:${altered.toString('base64')}`, 'apiKey', PLACE), `byte ${at}`).toThrow(SecretUnreadableError);
    }
    expect(() => box.open('enc:v2:', 'apiKey', PLACE)).toThrow(SecretUnreadableError);
  });

  it('opens only for the place it was stored for: another address, field or user is refused, saying what to do', () => {
    const sealed = box.seal(SECRET, 'apiKey', PLACE);
    for (const elsewhere of ['sis_connection|apiKey|ethos|https://evil.example.com', 'sis_connection|password|ethos|https://ethos.example.edu', 'webhook|u1', ''])
      expect(() => box.open(sealed, "The saved SIS connection's apiKey", elsewhere), elsewhere).toThrow(
        /^The saved SIS connection's apiKey does not open with COURSEBRIDGE_SECRETS_KEY where it is stored now: .*changed or copied here outside the hub .* Save it again with its key/,
      );
    expect(() => box.open(box.seal(SECRET, 'webhookSecret', 'webhook|u1'), 'webhookSecret', 'webhook|u2')).toThrow(SecretUnreadableError);
  });

  it('opens what it stored, and nothing for another place, whatever the secret and places', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), fc.string(), (plain, place, other) => {
        const sealed = box.seal(plain, 'apiKey', place);
        expect(box.open(sealed, 'apiKey', place)).toBe(plain);
        if (other !== place) expect(() => box.open(sealed, 'apiKey', other)).toThrow(SecretUnreadableError);
      }),
      { numRuns: 200 },
    );
  });

  it('still opens an enc:v1: value, stored with no place, wherever it is; with another key it is refused', () => {
    expect(box.open(sealedV1(SECRET), 'apiKey', PLACE)).toBe(SECRET);
    expect(box.open(sealedV1(SECRET), 'apiKey', 'webhook|u1')).toBe(SECRET);
    expect(() => box.open(sealedV1(SECRET, newSecretsKey()), 'apiKey', PLACE)).toThrow(/^apiKey does not open with COURSEBRIDGE_SECRETS_KEY: it was stored with another key/);
  });

  it('names the variable when a secret was stored with another key, or when there is none', () => {
    const sealed = box.seal(SECRET, 'apiKey', PLACE);
    expect(() => new SecretBox(newSecretsKey()).open(sealed, "The saved SIS connection's apiKey", PLACE)).toThrow(
      /^The saved SIS connection's apiKey does not open with COURSEBRIDGE_SECRETS_KEY where it is stored now: it was stored with another key/,
    );
    expect(() => new SecretBox(newSecretsKey(), 'the key file /srv/cb/secrets.key').open(sealed, 'apiKey', PLACE)).toThrow(/does not open with the key file \/srv\/cb\/secrets.key/);
    expect(() => new SecretBox(null).open(sealed, 'apiKey', PLACE)).toThrow(/apiKey is stored encrypted, and COURSEBRIDGE_SECRETS_KEY is not set/);
  });

  it('reads a value stored in plain text before encryption as it is, and without a key stores none, naming the field', () => {
    expect(box.open(SECRET, 'apiKey', PLACE)).toBe(SECRET);
    expect(new SecretBox(null).open(SECRET, 'apiKey', PLACE)).toBe(SECRET);
    const refused = (() => {
      try {
        new SecretBox(null).seal(SECRET, 'webhookSecret', PLACE);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(NoSecretsKeyError);
    expect(refused).toMatchObject({ status: 409, extensions: { errors: [{ field: 'webhookSecret', message: expect.stringContaining('COURSEBRIDGE_SECRETS_KEY') }] } });
  });
});

describe('a secret stored before this start', () => {
  const found = () => ({ encrypted: 0, plain: 0, unreadable: 0 });

  it('is sealed for its place when of v1 or in plain text, and counted; one of v2 stays', () => {
    for (const stored of [sealedV1(SECRET), SECRET]) {
      const counted = found();
      const upgraded = box.upgrade(stored, 'apiKey', counted, PLACE);
      expect(upgraded).toMatch(/^enc:v2:/);
      expect(box.open(upgraded, 'apiKey', PLACE)).toBe(SECRET);
      expect(() => box.open(upgraded, 'apiKey', 'webhook|u1')).toThrow(SecretUnreadableError);
      expect(counted).toEqual({ encrypted: 1, plain: 0, unreadable: 0 });
    }
    const current = box.seal(SECRET, 'apiKey', PLACE);
    const counted = found();
    expect(box.upgrade(current, 'apiKey', counted, PLACE)).toBe(current);
    expect(counted).toEqual(found());
  });

  it('is left as it is and counted unreadable when it does not open here; in plain text without a key, counted plain', () => {
    const counted = found();
    const moved = box.seal(SECRET, 'apiKey', PLACE);
    expect(box.upgrade(moved, 'apiKey', counted, 'sis_connection|apiKey|ethos|https://evil.example.com')).toBe(moved);
    const foreign = sealedV1(SECRET, newSecretsKey());
    expect(box.upgrade(foreign, 'apiKey', counted, PLACE)).toBe(foreign);
    expect(new SecretBox(null).upgrade(SECRET, 'apiKey', counted, PLACE)).toBe(SECRET);
    expect(counted).toEqual({ encrypted: 0, plain: 1, unreadable: 2 });
  });
});

describe('a secret saved again', () => {
  it('keeps its stored form when it is the secret stored, so an unchanged secret stores and audits as unchanged', () => {
    const stored = box.seal(SECRET, 'apiKey', PLACE);
    expect(box.reseal(stored, SECRET, 'apiKey', PLACE)).toBe(stored);
    // One stored in plain text before encryption, typed again, stays as it was too.
    expect(box.reseal(SECRET, SECRET, 'apiKey', PLACE)).toBe(SECRET);
  });

  it('is sealed anew for its place when the stored one is of v1 or was sealed for another place', () => {
    for (const stored of [sealedV1(SECRET), box.seal(SECRET, 'apiKey', 'sis_connection|apiKey|ethos|https://old.example.edu')]) {
      const resealed = box.reseal(stored, SECRET, 'apiKey', PLACE);
      expect(resealed).not.toBe(stored);
      expect(resealed).toMatch(/^enc:v2:/);
      expect(box.open(resealed, 'apiKey', PLACE)).toBe(SECRET);
    }
  });

  it('is sealed anew when it differs, when nothing is stored, or when the stored one does not open', () => {
    const stored = box.seal(SECRET, 'apiKey', PLACE);
    const changed = box.reseal(stored, 'another-key', 'apiKey', PLACE);
    expect(changed).not.toBe(stored);
    expect(box.open(changed, 'apiKey', PLACE)).toBe('another-key');
    for (const nothing of [null, undefined, '']) expect(box.open(box.reseal(nothing, SECRET, 'apiKey', PLACE), 'apiKey', PLACE)).toBe(SECRET);
    const foreign = new SecretBox(newSecretsKey()).seal(SECRET, 'apiKey', PLACE);
    const replaced = box.reseal(foreign, SECRET, 'apiKey', PLACE);
    expect(replaced).not.toBe(foreign);
    expect(box.open(replaced, 'apiKey', PLACE)).toBe(SECRET);
  });

  it('without a key: the stored secret typed again stays, a new one is refused naming the field', () => {
    const keyless = new SecretBox(null);
    expect(keyless.reseal(SECRET, SECRET, 'password', PLACE)).toBe(SECRET);
    expect(() => keyless.reseal(SECRET, 'another-key', 'password', PLACE)).toThrow(NoSecretsKeyError);
  });
});

describe('the key stored secrets are encrypted with', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'cb-key-')));
    return dirs.at(-1)!;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is COURSEBRIDGE_SECRETS_KEY, in base64 or hex, whatever the database', () => {
    const key = newSecretsKey();
    for (const value of [key.toString('base64'), key.toString('hex'), key.toString('base64url')]) {
      const config = loadConfig({ COURSEBRIDGE_SECRETS_KEY: value, DATABASE_URL: 'postgres://db/cb' });
      expect(config.secretsKey).toEqual(key);
      expect(new SecretBox(key).open(secretBoxFor(config).seal(SECRET, 'apiKey', PLACE), 'apiKey', PLACE)).toBe(SECRET);
    }
  });

  it('embedded without the variable, is a file the hub creates beside the database (not in pg), readable by its user only, and keeps', () => {
    const dir = dataDir();
    const first = secretBoxFor(loadConfig({ COURSEBRIDGE_DATA_DIR: dir }));
    const sealed = first.seal(SECRET, 'apiKey', PLACE);
    const file = join(dir, 'secrets.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(secretsKeyFile(dir)).toEqual({ key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), path: file });
    expect(secretBoxFor(loadConfig({ COURSEBRIDGE_DATA_DIR: dir })).open(sealed, 'apiKey', PLACE)).toBe(SECRET);
    expect(() => secretBoxFor(loadConfig({ COURSEBRIDGE_DATA_DIR: dataDir() })).open(sealed, 'apiKey', PLACE)).toThrow(/does not open with the key file .*secrets\.key/);
  });

  it('embedded, refuses a key file that holds no key rather than make another', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'secrets.key'), 'not a key\n');
    expect(() => secretsKeyFile(dir)).toThrow(/secrets\.key does not hold 32 bytes in base64 or hex/);
    expect(readFileSync(join(dir, 'secrets.key'), 'utf8')).toBe('not a key\n');
  });

  it('on PostgreSQL without the variable is none: nothing can be stored, plain text is still read', () => {
    const none = secretBoxFor(loadConfig({ DATABASE_URL: 'postgres://db/cb' }));
    expect(none.canSeal).toBe(false);
    expect(none.open(SECRET, 'apiKey', PLACE)).toBe(SECRET);
  });
});
