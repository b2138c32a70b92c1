/**
 * Cluster IPs and node ports for Services, allocated as kube-apiserver does: a
 * requested value is honoured or refused (taken / out of range), otherwise a free one
 * is picked at random (cluster IPs from above the static band first). The allocation
 * state is rebuilt from the stored Services on first use, so it survives restarts.
 * One allocator per API server process: this relies on the single embedded store.
 */
import { invalid, invalidValue, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceStore } from '../storage/resource-store.js';

type Port = { port?: number; nodePort?: number; protocol?: string; name?: string };

export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const n = ip.split('.').reduce((a, x) => (a << 8) + Number(x), 0) >>> 0;
  const size = 2 ** (32 - Number(bits));
  return { base: (n & ~(size - 1)) >>> 0, size };
}
export const ipToString = (n: number) => [24, 16, 8, 0].map(s => (n >>> s) & 255).join('.');
const ipToNumber = (s: string) => s.split('.').reduce((a, x) => (a << 8) + Number(x), 0) >>> 0;

export class ServiceAllocator {
  readonly #base: number;
  readonly #size: number;
  readonly #cidr: string;
  readonly #ports: [number, number];
  #ips?: Set<number>;
  #nodePorts?: Set<number>;
  #loading?: Promise<void>;

  constructor(readonly services: ResourceStore, serviceCidr: string, nodePortRange: [number, number] = [30000, 32767]) {
    const { base, size } = parseCidr(serviceCidr);
    this.#base = base; this.#size = size; this.#cidr = serviceCidr; this.#ports = nodePortRange;
  }

  /** The n-th address of the range (1 = the `kubernetes` service, 10 = cluster DNS). */
  nthIp(n: number): string { return ipToString(this.#base + n); }

  async #load(): Promise<void> {
    if (this.#ips) return;
    this.#loading ??= (async () => {
      const ips = new Set<number>();
      const ports = new Set<number>();
      const page = await this.services.list({});
      for (const s of page.items) {
        for (const ip of (s.spec?.clusterIPs ?? []) as string[]) if (ip !== 'None') ips.add(ipToNumber(ip));
        for (const p of (s.spec?.ports ?? []) as Port[]) if (p.nodePort) ports.add(p.nodePort);
      }
      this.#ips = ips; this.#nodePorts = ports;
    })();
    await this.#loading;
  }

  /**
   * Fills clusterIP(s) and node ports of a Service being created or updated (`old` set),
   * keeping what `old` had. Returns a function that undoes what this call took.
   */
  async allocate(svc: KubeObject, old?: KubeObject): Promise<() => void> {
    await this.#load();
    const s = svc.spec;
    const taken: Array<() => void> = [];
    const errs: FieldError[] = [];
    const type = s.type ?? 'ClusterIP';
    if (type !== 'ExternalName' && s.clusterIP !== 'None') {
      const keep = old?.spec?.clusterIP && old.spec.clusterIP !== 'None' ? old.spec.clusterIP : undefined;
      if (keep && (!s.clusterIP || s.clusterIP === keep)) {
        s.clusterIP = keep; s.clusterIPs = old!.spec.clusterIPs ?? [keep];
      } else if (s.clusterIP) {
        const n = ipToNumber(s.clusterIP);
        if (n <= this.#base || n >= this.#base + this.#size - 1) {
          errs.push(invalidValue('spec.clusterIPs', s.clusterIPs ?? [s.clusterIP], `failed to allocate IP ${s.clusterIP}: the provided IP (${s.clusterIP}) is not in the valid range. The range of valid IPs is ${this.#cidr}`));
        } else if (this.#ips!.has(n)) {
          errs.push(invalidValue('spec.clusterIPs', s.clusterIPs ?? [s.clusterIP], `failed to allocate IP ${s.clusterIP}: provided IP is already allocated`));
        } else { this.#ips!.add(n); taken.push(() => this.#ips!.delete(n)); }
      } else {
        const n = this.#freeIp();
        if (n === undefined) errs.push(invalidValue('spec.clusterIPs', [], 'failed to allocate IP: range is full'));
        else { this.#ips!.add(n); taken.push(() => this.#ips!.delete(n)); s.clusterIP = ipToString(n); s.clusterIPs = [s.clusterIP]; }
      }
    }
    if (type === 'NodePort' || type === 'LoadBalancer') {
      const oldPorts = (old?.spec?.ports ?? []) as Port[];
      const mine = new Set(oldPorts.map(p => p.nodePort).filter(Boolean) as number[]);
      (s.ports as Port[] ?? []).forEach((p, i) => {
        if (!p.nodePort) {
          const prev = oldPorts.find(o => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (prev?.nodePort) { p.nodePort = prev.nodePort; return; }
          const n = this.#freePort();
          if (n === undefined) { errs.push(invalidValue(`spec.ports[${i}].nodePort`, 0, 'failed to allocate a nodePort: range is full')); return; }
          this.#nodePorts!.add(n); taken.push(() => this.#nodePorts!.delete(n)); p.nodePort = n;
          return;
        }
        if (mine.has(p.nodePort)) return;
        if (p.nodePort < this.#ports[0] || p.nodePort > this.#ports[1]) {
          errs.push(invalidValue(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${this.#ports[0]}-${this.#ports[1]}`));
        } else if (this.#nodePorts!.has(p.nodePort)) {
          errs.push(invalidValue(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
        } else { const n = p.nodePort; this.#nodePorts!.add(n); taken.push(() => this.#nodePorts!.delete(n)); }
      });
    } else {
      for (const p of (s.ports ?? []) as Port[]) delete p.nodePort;
    }
    const undo = () => { for (const t of taken) t(); };
    if (errs.length) { undo(); throw invalid('Service', svc.metadata?.name ?? '', errs); }
    return undo;
  }

  /** Gives back what `svc` holds and `keep` (its successor, on update) does not. */
  release(svc: KubeObject, keep?: KubeObject): void {
    if (!this.#ips) return;
    const keptIps = new Set((keep?.spec?.clusterIPs ?? []) as string[]);
    for (const ip of (svc.spec?.clusterIPs ?? []) as string[]) if (ip !== 'None' && !keptIps.has(ip)) this.#ips.delete(ipToNumber(ip));
    const keptPorts = new Set(((keep?.spec?.ports ?? []) as Port[]).map(p => p.nodePort));
    for (const p of (svc.spec?.ports ?? []) as Port[]) if (p.nodePort && !keptPorts.has(p.nodePort)) this.#nodePorts!.delete(p.nodePort);
  }

  #freeIp(): number | undefined {
    // Upstream keeps a low "static" band for requested IPs and allocates above it first.
    const band = Math.min(Math.max(16, Math.floor(this.#size / 16)), 256);
    const tryRange = (lo: number, hi: number) => {
      const span = hi - lo;
      if (span <= 0) return undefined;
      const start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) {
        const n = this.#base + lo + ((start + i) % span);
        if (!this.#ips!.has(n)) return n;
      }
      return undefined;
    };
    return tryRange(band, this.#size - 1) ?? tryRange(1, band);
  }

  #freePort(): number | undefined {
    const [lo, hi] = this.#ports;
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const n = lo + ((start + i) % span);
      if (!this.#nodePorts!.has(n)) return n;
    }
    return undefined;
  }
}
