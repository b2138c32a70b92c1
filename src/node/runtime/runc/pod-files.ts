/**
 * The per-pod files bind-mounted into every container: /etc/hosts, resolv.conf, hostname.
 * Written synchronously: they live on the run tmpfs (see RecordStore.put).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxConfig } from '../runtime.js';

export function podFilePaths(dir: string) {
  return { hosts: join(dir, 'hosts'), resolv: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname'), shm: join(dir, 'shm') };
}

/** Like the kubelet's managed hosts file (the host's own for hostNetwork pods). */
export async function writeHosts(dir: string, cfg: SandboxConfig, ips: string[]): Promise<void> {
  const path = podFilePaths(dir).hosts;
  if (cfg.hostNetwork) return copyFileSync('/etc/hosts', path);
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const names = cfg.fqdn ? `${cfg.fqdn}\t${cfg.hostname}` : cfg.hostname;
  for (const ip of ips) lines.push(`${ip}\t${names}`);
  if (cfg.hostAliases?.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of cfg.hostAliases) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

export async function writeResolvAndHostname(dir: string, cfg: SandboxConfig): Promise<void> {
  const p = podFilePaths(dir);
  const resolv = cfg.dns
    ? [
        ...cfg.dns.servers.map(s => `nameserver ${s}`),
        ...(cfg.dns.searches?.length ? [`search ${cfg.dns.searches.join(' ')}`] : []),
        ...(cfg.dns.options?.length ? [`options ${cfg.dns.options.join(' ')}`] : []),
      ].join('\n') + '\n'
    : undefined;
  if (resolv !== undefined) writeFileSync(p.resolv, resolv);
  else {
    try { copyFileSync('/etc/resolv.conf', p.resolv); } catch { writeFileSync(p.resolv, ''); }
  }
  writeFileSync(p.hostname, `${cfg.hostname}\n`);
}
