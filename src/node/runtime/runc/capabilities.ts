/** Linux capabilities for containers: containerd's default set, ALL, and add/drop. */

/** The default set of containerd and Docker (what Kubernetes users get). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability up to CAP_CHECKPOINT_RESTORE (40), in kernel order. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** `net_admin`, `NET_ADMIN` and `CAP_NET_ADMIN` all mean CAP_NET_ADMIN. */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  return up === 'ALL' || up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** containerd's rule: drop ALL empties the base, add ALL fills it, then add, then drop. */
export function effectiveCapabilities(opts: { privileged?: boolean; add?: string[]; drop?: string[] }): string[] {
  if (opts.privileged) return [...ALL_CAPABILITIES];
  const add = (opts.add ?? []).map(normalizeCapability);
  const drop = (opts.drop ?? []).map(normalizeCapability);
  let caps = drop.includes('ALL') ? [] : [...DEFAULT_CAPABILITIES];
  if (add.includes('ALL')) caps = [...ALL_CAPABILITIES];
  for (const c of add) if (c !== 'ALL' && !caps.includes(c)) caps.push(c);
  return caps.filter(c => !drop.includes(c));
}
