/**
 * The service-account token signing key (upstream's --service-account-key-file and
 * --service-account-signing-key-file): an RSA key made once, with the PKI, on first start.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceAccountKey { privateKey: string; publicKey: string }

export function ensureServiceAccountKey(dir: string): ServiceAccountKey {
  const keyFile = join(dir, 'service-account.key');
  const pubFile = join(dir, 'service-account.pub');
  if (!existsSync(keyFile) || !existsSync(pubFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    // Written under temp names and renamed: a crash never leaves half a key pair.
    writeFileSync(`${pubFile}.tmp`, publicKey);
    writeFileSync(`${keyFile}.tmp`, privateKey, { mode: 0o600 });
    renameSync(`${pubFile}.tmp`, pubFile);
    renameSync(`${keyFile}.tmp`, keyFile);
  }
  return { privateKey: readFileSync(keyFile, 'utf8'), publicKey: readFileSync(pubFile, 'utf8') };
}
