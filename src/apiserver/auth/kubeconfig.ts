/** Writes the admin kubeconfig that kubectl and client libraries read. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Pki } from './pki.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigYaml(server: string, pki: Pki, name = 'kubeling'): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: ${name}-admin
  user:
    client-certificate-data: ${b64(pki.adminCert)}
    client-key-data: ${b64(pki.adminKey)}
contexts:
- name: ${name}
  context:
    cluster: ${name}
    user: ${name}-admin
    namespace: default
current-context: ${name}
preferences: {}
`;
}

export function writeKubeconfig(file: string, server: string, pki: Pki): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, kubeconfigYaml(server, pki), { mode: 0o600 });
}
