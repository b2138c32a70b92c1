/**
 * The cluster's certificates, made once on first start with the system's openssl:
 * a CA, a serving certificate (SANs: 127.0.0.1, localhost, host name, node IPs) and
 * an admin client certificate (O=system:masters). ECDSA P-256 keeps generation fast.
 * Beside them, the RSA key that signs service-account tokens.
 */
import { execFileSync } from 'node:child_process';
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

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): void {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
}

function sign(dir: string, name: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '3650', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

export function localAddresses(): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !a.address.startsWith('fe80')) ips.add(a.address);
  }
  return [...ips];
}

/** Loads the PKI under dir, creating whatever is missing. Idempotent. */
export function ensurePki(dir: string, extraSans: string[] = []): Pki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, 'ca.crt'))) {
    newKey(dir, 'ca');
    openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=kubeling-ca', '-days', '3650', '-sha256', '-out', 'ca.crt'], dir);
  }
  if (!existsSync(join(dir, 'server.crt'))) {
    newKey(dir, 'server');
    const sans = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local', `DNS:${hostname()}`,
      ...[...localAddresses(), ...extraSans].map(ip => (/^[\d.:a-f]+$/i.test(ip) ? `IP:${ip}` : `DNS:${ip}`))];
    sign(dir, 'server', '/CN=kubeling-apiserver',
      `subjectAltName=${[...new Set(sans)].join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  }
  if (!existsSync(join(dir, 'admin.crt'))) {
    newKey(dir, 'admin');
    sign(dir, 'admin', '/O=system:masters/CN=kubeling-admin', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  }
  const rd = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir, serviceAccount: ensureServiceAccountKey(dir), caCert: rd('ca.crt'), caKey: rd('ca.key'), serverCert: rd('server.crt'), serverKey: rd('server.key'),
    adminCert: rd('admin.crt'), adminKey: rd('admin.key'),
  };
}

/** Issues a client certificate signed by the cluster CA (e.g. for a node agent). */
export function issueClientCert(dir: string, name: string, cn: string, org: string): { cert: string; key: string } {
  if (!existsSync(join(dir, `${name}.crt`))) {
    newKey(dir, name);
    sign(dir, name, `/O=${org}/CN=${cn}`, 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  }
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}
