// What an earlier version stored for a secret: enc:v1:<base64 of iv | tag | ciphertext>, AES-256-GCM
// sealed for no place (no associated data). The hub no longer makes these; tests make them to
// show that they still open and are upgraded.
import { createCipheriv, randomBytes } from 'node:crypto';

export function sealedV1(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `enc:v1:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}
