/**
 * OCI runtime specs (config.json) for the pause container and for app containers that
 * join its namespaces through /proc/<pausePID>/ns/*. Pure functions of their inputs.
 */
import type { ContainerResources, Mount } from '../runtime.js';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciNamespace {
  type: 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'cgroup';
  path?: string;
}

/** Which namespaces a pod shares with the host. */
export interface PodNamespaces {
  hostNetwork: boolean;
  hostPID: boolean;
  hostIPC: boolean;
  shareProcessNamespace: boolean;
}

const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function baseMounts(opts: { privileged?: boolean; hostIPC?: boolean; sys?: boolean }): OciMount[] {
  const m: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
  ];
  if (!opts.hostIPC) m.push({ destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] });
  if (opts.sys) {
    const ro = opts.privileged ? 'rw' : 'ro';
    m.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ro] });
    m.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ro] });
  }
  return m;
}

function bind(destination: string, source: string, options: string[] = []): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', ...options] };
}

function linuxResources(r: ContainerResources | undefined, privileged: boolean): Record<string, unknown> {
  const res: Record<string, unknown> = { devices: [{ allow: privileged, access: 'rwm' }] };
  if (r?.memoryLimitBytes) res.memory = { limit: r.memoryLimitBytes };
  const cpu: Record<string, number> = {};
  if (r?.cpuShares) cpu.shares = r.cpuShares;
  if (r?.cpuQuota) cpu.quota = r.cpuQuota;
  if (r?.cpuPeriod) cpu.period = r.cpuPeriod;
  if (Object.keys(cpu).length) res.cpu = cpu;
  return res;
}

export interface SandboxSpecInput {
  rootfs: string;
  readonlyRootfs: boolean;
  hostname: string;
  ns: PodNamespaces;
  cgroupsPath: string;
  sysctls?: Record<string, string>;
  args: string[];
  env: string[];
  /** The lowest oom_score_adj we may set (our own, without CAP_SYS_RESOURCE). */
  minOomScoreAdj: number;
}

/** The pause container: creates the pod's namespaces (those not shared with the host). */
export function sandboxSpec(i: SandboxSpecInput): object {
  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (!i.ns.hostPID) namespaces.push({ type: 'pid' });
  if (!i.ns.hostIPC) namespaces.push({ type: 'ipc' });
  if (!i.ns.hostNetwork) namespaces.push({ type: 'network' }, { type: 'uts' });
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false, user: { uid: 0, gid: 0 }, args: i.args, env: i.env, cwd: '/',
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
      noNewPrivileges: true, oomScoreAdj: Math.max(-998, i.minOomScoreAdj),
    },
    root: { path: i.rootfs, readonly: i.readonlyRootfs },
    ...(i.ns.hostNetwork ? {} : { hostname: i.hostname }),
    mounts: baseMounts({ hostIPC: i.ns.hostIPC }).filter(m => m.destination !== '/dev/mqueue'),
    linux: {
      namespaces,
      cgroupsPath: i.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      ...(i.sysctls && Object.keys(i.sysctls).length && !i.ns.hostNetwork ? { sysctl: i.sysctls } : {}),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}

export interface ContainerSpecInput {
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  capabilities: string[];
  noNewPrivileges: boolean;
  privileged: boolean;
  ns: PodNamespaces;
  /** The pause process whose namespaces the container joins. */
  pausePid: number;
  cgroupsPath: string;
  resources?: ContainerResources;
  /** Per-pod files: /etc/hosts, /etc/resolv.conf, /etc/hostname, and the /dev/shm dir. */
  podFiles: { hosts: string; resolv: string; hostname: string; shm: string };
  mounts: Mount[];
  minOomScoreAdj: number;
  /** The process runs on a pty (the shim holds the master). */
  terminal?: boolean;
}

/** An app container joining the sandbox's net, ipc, uts (and pid if shared) namespaces. */
export function containerSpec(i: ContainerSpecInput): object {
  const nsPath = (t: string) => `/proc/${i.pausePid}/ns/${t}`;
  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (!i.ns.hostPID) namespaces.push(i.ns.shareProcessNamespace ? { type: 'pid', path: nsPath('pid') } : { type: 'pid' });
  if (!i.ns.hostIPC) namespaces.push({ type: 'ipc', path: nsPath('ipc') });
  if (!i.ns.hostNetwork) namespaces.push({ type: 'network', path: nsPath('net') }, { type: 'uts', path: nsPath('uts') });

  const mounts = baseMounts({ privileged: i.privileged, hostIPC: i.ns.hostIPC, sys: true });
  mounts.push(bind('/dev/shm', i.ns.hostIPC ? '/dev/shm' : i.podFiles.shm, ['nosuid', 'nodev', 'noexec']));
  mounts.push(bind('/etc/hosts', i.podFiles.hosts), bind('/etc/resolv.conf', i.podFiles.resolv), bind('/etc/hostname', i.podFiles.hostname));
  for (const m of i.mounts) {
    mounts.push(bind(m.containerPath, m.hostPath, [m.propagation ?? 'rprivate', ...(m.readonly ? ['ro'] : [])]));
  }
  // Parents before children (a volume at /data and another at /data/x).
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  const ordered = mounts.map((m, n) => ({ m, n })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.n - b.n).map(x => x.m);

  const root = i.uid === 0;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: !!i.terminal,
      user: { uid: i.uid, gid: i.gid, ...(i.additionalGids.length ? { additionalGids: i.additionalGids } : {}) },
      args: i.args, env: i.env, cwd: i.cwd,
      // Non-root processes keep the bounding set only, like Docker and containerd.
      capabilities: { bounding: i.capabilities, effective: root ? i.capabilities : [], permitted: root ? i.capabilities : [], inheritable: [], ambient: [] },
      noNewPrivileges: i.noNewPrivileges,
      ...(i.resources?.oomScoreAdj !== undefined ? { oomScoreAdj: Math.max(i.resources.oomScoreAdj, i.minOomScoreAdj) } : {}),
    },
    root: { path: i.rootfs, readonly: i.readonlyRootfs },
    mounts: ordered,
    linux: {
      namespaces,
      cgroupsPath: i.cgroupsPath,
      resources: linuxResources(i.resources, i.privileged),
      ...(i.privileged ? {} : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    },
  };
}

/** Kubernetes semantics: command replaces Entrypoint; args replace Cmd. */
export function processArgs(image: { Entrypoint?: string[] | null; Cmd?: string[] | null }, command?: string[], args?: string[]): string[] {
  if (command?.length) return [...command, ...(args ?? [])];
  return [...(image.Entrypoint ?? []), ...(args?.length ? args : (image.Cmd ?? []))];
}

/** Image Env overlaid with the container's (same name: the container's wins). */
export function mergeEnv(image: string[] | null | undefined, extra: { name: string; value: string }[]): string[] {
  const m = new Map<string, string>();
  for (const kv of image ?? []) { const i = kv.indexOf('='); m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1)); }
  for (const e of extra) m.set(e.name, e.value);
  return [...m].map(([k, v]) => `${k}=${v}`);
}
