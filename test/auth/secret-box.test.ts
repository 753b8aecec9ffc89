// Secrets at rest: what is stored says how it was encrypted, opens only with its key, and never
// opens to garbage; the key comes from COURSEBRIDGE_SECRETS_KEY or, embedded, a file of its own.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newSecretsKey, NoSecretsKeyError, SecretBox, SecretUnreadableError } from '../../src/auth/secret-box.ts';
import { secretBoxFor } from '../../src/cli/open.ts';
import { loadConfig } from '../../src/config.ts';
import { secretsKeyFile } from '../../src/db/data-dir.ts';

const box = new SecretBox(newSecretsKey());
const SECRET = 'ethos-api-key-6f1c2a';

describe('a secret box', () => {
  it('stores a secret as enc:v1: and base64, a new IV each time, and opens it again', () => {
    const sealed = box.seal(SECRET, 'apiKey');
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain(SECRET);
    expect(box.seal(SECRET, 'apiKey')).not.toBe(sealed);
    expect(box.open(sealed, 'apiKey')).toBe(SECRET);
    expect(box.open(box.seal('ключ 🔑', 'x'), 'x')).toBe('ключ 🔑');
  });

  it('refuses a value altered in any byte: an error, never garbage', () => {
    const raw = Buffer.from(box.seal(SECRET, 'apiKey').slice('enc:v1:'.length), 'base64');
    for (const at of [0, 12, 28, raw.length - 1]) {
      const altered = Buffer.from(raw);
      altered[at] ^= 1;
      expect(() => box.open(`enc:v1:${altered.toString('base64')}`, 'apiKey'), `byte ${at}`).toThrow(SecretUnreadableError);
    }
    expect(() => box.open('enc:v1:', 'apiKey')).toThrow(SecretUnreadableError);
  });

  it('names the variable when a secret was stored with another key, or when there is none', () => {
    const sealed = box.seal(SECRET, 'apiKey');
    expect(() => new SecretBox(newSecretsKey()).open(sealed, "The saved SIS connection's apiKey")).toThrow(
      /^The saved SIS connection's apiKey does not open with COURSEBRIDGE_SECRETS_KEY: it was stored with another key, or altered/,
    );
    expect(() => new SecretBox(newSecretsKey(), 'the key file /srv/cb/secrets.key').open(sealed, 'apiKey')).toThrow(/does not open with the key file \/srv\/cb\/secrets.key/);
    expect(() => new SecretBox(null).open(sealed, 'apiKey')).toThrow(/apiKey is stored encrypted, and COURSEBRIDGE_SECRETS_KEY is not set/);
  });

  it('reads a value stored in plain text before encryption as it is, and without a key stores none, naming the field', () => {
    expect(box.open(SECRET, 'apiKey')).toBe(SECRET);
    expect(new SecretBox(null).open(SECRET, 'apiKey')).toBe(SECRET);
    const refused = (() => {
      try {
        new SecretBox(null).seal(SECRET, 'webhookSecret');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(NoSecretsKeyError);
    expect(refused).toMatchObject({ status: 409, extensions: { errors: [{ field: 'webhookSecret', message: expect.stringContaining('COURSEBRIDGE_SECRETS_KEY') }] } });
  });
});

describe('a secret saved again', () => {
  it('keeps its stored form when it is the secret stored, so an unchanged secret stores and audits as unchanged', () => {
    const stored = box.seal(SECRET, 'apiKey');
    expect(box.reseal(stored, SECRET, 'apiKey')).toBe(stored);
    // One stored in plain text before encryption, typed again, stays as it was too.
    expect(box.reseal(SECRET, SECRET, 'apiKey')).toBe(SECRET);
  });

  it('is sealed anew when it differs, when nothing is stored, or when the stored one does not open', () => {
    const stored = box.seal(SECRET, 'apiKey');
    const changed = box.reseal(stored, 'another-key', 'apiKey');
    expect(changed).not.toBe(stored);
    expect(box.open(changed, 'apiKey')).toBe('another-key');
    for (const nothing of [null, undefined, '']) expect(box.open(box.reseal(nothing, SECRET, 'apiKey'), 'apiKey')).toBe(SECRET);
    const foreign = new SecretBox(newSecretsKey()).seal(SECRET, 'apiKey');
    const replaced = box.reseal(foreign, SECRET, 'apiKey');
    expect(replaced).not.toBe(foreign);
    expect(box.open(replaced, 'apiKey')).toBe(SECRET);
  });

  it('without a key: the stored secret typed again stays, a new one is refused naming the field', () => {
    const keyless = new SecretBox(null);
    expect(keyless.reseal(SECRET, SECRET, 'password')).toBe(SECRET);
    expect(() => keyless.reseal(SECRET, 'another-key', 'password')).toThrow(NoSecretsKeyError);
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
      expect(new SecretBox(key).open(secretBoxFor(config).seal(SECRET, 'apiKey'), 'apiKey')).toBe(SECRET);
    }
  });

  it('embedded without the variable, is a file the hub creates beside the database (not in pg), readable by its user only, and keeps', () => {
    const dir = dataDir();
    const first = secretBoxFor(loadConfig({ COURSEBRIDGE_DATA_DIR: dir }));
    const sealed = first.seal(SECRET, 'apiKey');
    const file = join(dir, 'secrets.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(secretsKeyFile(dir)).toEqual({ key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), path: file });
    expect(secretBoxFor(loadConfig({ COURSEBRIDGE_DATA_DIR: dir })).open(sealed, 'apiKey')).toBe(SECRET);
    expect(() => secretBoxFor(loadConfig({ COURSEBRIDGE_DATA_DIR: dataDir() })).open(sealed, 'apiKey')).toThrow(/does not open with the key file .*secrets\.key/);
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
    expect(none.open(SECRET, 'apiKey')).toBe(SECRET);
  });
});
