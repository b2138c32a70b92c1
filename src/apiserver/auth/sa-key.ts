/**
 * The service-account token signing key (upstream's --service-account-key-file and
 * --service-account-signing-key-file): a P-256 key made once (ES256 tokens; milliseconds to make where RSA takes hundreds), with the PKI, on first start.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceAccountKey { privateKey: string; publicKey: string }

export async function ensureServiceAccountKey(dir: string): Promise<ServiceAccountKey> {
  const keyFile = join(dir, 'service-account.key');
  const pubFile = join(dir, 'service-account.pub');
  if (!existsSync(keyFile) || !existsSync(pubFile)) {
    const { privateKey, publicKey } = await promisify(generateKeyPair)('ec', {
      namedCurve: 'prime256v1',
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
