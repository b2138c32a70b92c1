/**
 * The agent's serving certificate: self-signed, made once with the system's openssl and
 * kept in `<agent dir>/tls` (as the kubelet makes its own when none is given). The API
 * server does not verify it, like kube-apiserver without --kubelet-certificate-authority;
 * what protects the agent is that every caller must authenticate (see agent-server.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export function ensureServingCert(dir: string, nodeName: string, ips: string[]): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cert = join(dir, 'agent.crt');
  const key = join(dir, 'agent.key');
  if (!existsSync(cert) || !existsSync(key)) {
    const sans = [`DNS:${nodeName}`, 'DNS:localhost', ...new Set(['127.0.0.1', ...ips])].map(s => (s.startsWith('DNS:') ? s : `IP:${s}`));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${key}.tmp`, '-out', `${cert}.tmp`, '-days', '3650', '-subj', `/CN=${nodeName}`,
      '-addext', `subjectAltName=${sans.join(',')}`, '-addext', 'extendedKeyUsage=serverAuth'], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(`${key}.tmp`, key);
    renameSync(`${cert}.tmp`, cert);
  }
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}
