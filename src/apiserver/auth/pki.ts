/**
 * The cluster's certificates, made once on first start with the system's openssl:
 * a CA, a serving certificate (SANs: 127.0.0.1, localhost, host name, node IPs) and
 * an admin client certificate (O=system:masters). ECDSA P-256 keeps generation fast.
 * Beside them, the key that signs service-account tokens.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ensureServiceAccountKey, type ServiceAccountKey } from './sa-key.js';

export interface Pki {
  dir: string;
  /** The service-account token signing key pair. */
  serviceAccount: ServiceAccountKey;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

const run = promisify(execFile);
// A config with no default extensions: each certificate carries exactly the -addext ones.
const MIN_CONFIG = '[req]\ndistinguished_name=dn\n[dn]\n';

/**
 * Key and certificate in one openssl run (`req -x509 -newkey`, signed by the CA when given):
 * a first start makes every certificate at once, in parallel, instead of a dozen runs in a row.
 */
async function newCert(dir: string, name: string, subject: string, exts: string[], signedByCa: boolean): Promise<void> {
  const cnf = join(dir, 'openssl.cnf');
  if (!existsSync(cnf)) writeFileSync(cnf, MIN_CONFIG);
  await run('openssl', ['req', '-config', 'openssl.cnf', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc',
    '-keyout', `${name}.key`, '-subj', subject, '-days', '3650', '-sha256', ...(signedByCa ? ['-CA', 'ca.crt', '-CAkey', 'ca.key'] : []),
    ...exts.flatMap(e => ['-addext', e]), '-out', `${name}.crt`], { cwd: dir });
}

const CLIENT_EXTS = ['basicConstraints=critical,CA:FALSE', 'extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature'];

export function localAddresses(): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !a.address.startsWith('fe80')) ips.add(a.address);
  }
  return [...ips];
}

/** Loads the PKI under dir, creating whatever is missing. Idempotent. */
export async function ensurePki(dir: string, extraSans: string[] = []): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const saKey = ensureServiceAccountKey(dir); // RSA generation runs in the thread pool meanwhile
  if (!existsSync(join(dir, 'ca.crt'))) {
    await newCert(dir, 'ca', '/CN=kubeling-ca', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign'], false);
  }
  const pending: Promise<void>[] = [];
  if (!existsSync(join(dir, 'server.crt'))) {
    const sans = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local', `DNS:${hostname()}`,
      ...[...localAddresses(), ...extraSans].map(ip => (/^[\d.:a-f]+$/i.test(ip) ? `IP:${ip}` : `DNS:${ip}`))];
    pending.push(newCert(dir, 'server', '/CN=kubeling-apiserver', ['basicConstraints=critical,CA:FALSE',
      `subjectAltName=${[...new Set(sans)].join(',')}`, 'extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment'], true));
  }
  if (!existsSync(join(dir, 'admin.crt'))) pending.push(newCert(dir, 'admin', '/O=system:masters/CN=kubeling-admin', CLIENT_EXTS, true));
  await Promise.all(pending);
  const rd = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir, serviceAccount: await saKey, caCert: rd('ca.crt'), caKey: rd('ca.key'), serverCert: rd('server.crt'), serverKey: rd('server.key'),
    adminCert: rd('admin.crt'), adminKey: rd('admin.key'),
  };
}

/** Issues a client certificate signed by the cluster CA (e.g. for a node agent). */
export async function issueClientCert(dir: string, name: string, cn: string, org: string): Promise<{ cert: string; key: string }> {
  if (!existsSync(join(dir, `${name}.crt`))) await newCert(dir, name, `/O=${org}/CN=${cn}`, CLIENT_EXTS, true);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}
