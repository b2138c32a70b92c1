/** Facts about this machine for the Node object: CPUs, memory, disk, addresses, OS, ids. */
import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';
import { arch, cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Filesystem holding the agent's state. */
  diskBytes: number;
  hostname: string;
  nodeIP: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
}

const read = (p: string) => readFile(p, 'utf8').then(s => s.trim(), () => '');

/** The source address of the default route, else the first non-internal IPv4 address. */
export async function defaultNodeIP(): Promise<string> {
  const viaRoute = await new Promise<string>(resolve => {
    execFile('ip', ['-4', 'route', 'get', '1.1.1.1'], (err, out) => resolve(err ? '' : (/\bsrc (\S+)/.exec(out)?.[1] ?? '')));
  });
  if (viaRoute) return viaRoute;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function osImage(): Promise<string> {
  const text = await read('/etc/os-release');
  return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
}

/** Cgroup CPU limits of our own cgroup are ignored: capacity is the machine's, as upstream. */
export async function machineInfo(stateDir: string, nodeIP?: string): Promise<MachineInfo> {
  const [ip, machineID, uuid, bootID, image, fs] = await Promise.all([
    nodeIP ?? defaultNodeIP(), read('/etc/machine-id'), read('/sys/class/dmi/id/product_uuid'),
    read('/proc/sys/kernel/random/boot_id'), osImage(), statfs(stateDir).catch(() => undefined),
  ]);
  return {
    cpus: cpus().length, memoryBytes: totalmem(), diskBytes: fs ? fs.blocks * fs.bsize : 0,
    hostname: hostname(), nodeIP: ip, machineID, systemUUID: uuid || machineID, bootID,
    kernelVersion: release(), osImage: image, architecture: arch() === 'x64' ? 'amd64' : arch(),
  };
}

export interface Pressure {
  memoryAvailableBytes: number;
  diskAvailableBytes: number;
  diskTotalBytes: number;
  pidsUsed: number;
  pidsMax: number;
}

/** What the eviction thresholds compare against (MemAvailable, free disk, pids). */
export async function pressure(stateDir: string): Promise<Pressure> {
  const [meminfo, fs, pidMax, loadavg] = await Promise.all([
    read('/proc/meminfo'), statfs(stateDir).catch(() => undefined), read('/proc/sys/kernel/pid_max'), read('/proc/loadavg'),
  ]);
  const kb = Number(/MemAvailable:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  return {
    memoryAvailableBytes: kb * 1024,
    diskAvailableBytes: fs ? fs.bavail * fs.bsize : Infinity,
    diskTotalBytes: fs ? fs.blocks * fs.bsize : 0,
    pidsUsed: Number(loadavg.split(' ')[3]?.split('/')[1] ?? 0),
    pidsMax: Number(pidMax) || 4194304,
  };
}
