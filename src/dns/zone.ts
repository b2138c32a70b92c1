/**
 * Answers for the cluster zone (`cluster.local` by default), following CoreDNS's
 * kubernetes plugin and the DNS-for-Services spec:
 *   svc.ns.svc.<zone>            A/AAAA: cluster IP, or each ready endpoint (headless);
 *                                SRV: every port; CNAME: ExternalName
 *   _port._proto.svc.ns.svc.<zone>  SRV for a named port
 *   host.svc.ns.svc.<zone>       A of a headless endpoint (hostname, or dashed IP)
 *   a-b-c-d.ns.pod.<zone>        A of a pod with that IP in that namespace
 *   reverse names of service and endpoint IPs (PTR)
 * Unknown names get NXDOMAIN, known names without the asked type NODATA, both with the
 * zone's SOA. Names outside the zone (and outside our reverse ranges) return undefined:
 * the caller forwards them upstream.
 */
import type { KubeObject } from '../api/object.js';
import { RCODE, TYPE, type Question, type RData, type Record, type Response } from './wire.js';

/** What the zone reads: the informer caches (tests pass plain maps). */
export interface ClusterView {
  service(ns: string, name: string): KubeObject | undefined;
  namespaceHasServices(ns: string): boolean;
  slices(ns: string, name: string): KubeObject[];
  podByIP(ip: string): KubeObject[];
  serviceByIP(ip: string): KubeObject | undefined;
}

export interface ZoneOptions {
  domain: string;
  ttl: number;
  /** Reverse lookups inside these CIDRs are ours (NXDOMAIN when unknown). */
  reverseCidrs: string[];
  /** The DNS service's own address (answers ns.dns.<zone>). */
  dnsIP?: string;
}

interface Ep { ip: string; host: string; ports: Array<{ name: string; port: number; protocol: string }> }

export class ClusterZone {
  readonly #v: ClusterView;
  readonly #o: ZoneOptions;
  readonly #suffix: string;
  readonly #serial = Math.floor(Date.now() / 1000);

  constructor(view: ClusterView, o: ZoneOptions) {
    this.#v = view;
    this.#o = o;
    this.#suffix = `.${o.domain}`;
  }

  get domain(): string { return this.#o.domain; }

  /** The answer for `q`, or undefined when the name is not ours. */
  answer(q: Question): Response | undefined {
    const name = q.name;
    if (name.endsWith('.in-addr.arpa')) return this.#reverse(q);
    if (name !== this.#o.domain && !name.endsWith(this.#suffix)) return undefined;
    const rest = name === this.#o.domain ? '' : name.slice(0, -this.#suffix.length);
    const l = rest ? rest.split('.') : [];
    if (!l.length) return this.#apex(q);
    const kind = l[l.length - 1];
    if (kind === 'svc') return this.#svc(q, l.slice(0, -1));
    if (kind === 'pod' && l.length === 3) return this.#pod(q, l[0], l[1]);
    if (kind === 'pod' && l.length < 3) return this.nodata();
    if (rest === 'ns.dns' && this.#o.dnsIP) return this.#records(q, [{ type: TYPE.A, ip: this.#o.dnsIP }]);
    return this.nxdomain();
  }

  soa(): Record {
    const d = this.#o.domain;
    return { name: d, ttl: this.#o.ttl, data: { type: 6, mname: `ns.dns.${d}`, rname: `hostmaster.${d}`, serial: this.#serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.#o.ttl } };
  }

  nxdomain(): Response { return { rcode: RCODE.NXDOMAIN, aa: true, answers: [], authority: [this.soa()], additional: [] }; }
  nodata(): Response { return { rcode: RCODE.NOERROR, aa: true, answers: [], authority: [this.soa()], additional: [] }; }

  #apex(q: Question): Response {
    if (q.type === TYPE.SOA) return { rcode: 0, aa: true, answers: [this.soa()], authority: [], additional: [] };
    if (q.type === TYPE.NS) return this.#records(q, [{ type: TYPE.NS, target: `ns.dns.${this.#o.domain}` }]);
    return this.nodata();
  }

  #svc(q: Question, l: string[]): Response {
    if (l.length === 0) return this.nodata();
    if (l.length === 1) return this.#v.namespaceHasServices(l[0]) ? this.nodata() : this.nxdomain();
    const [ns, svcName] = [l[l.length - 1], l[l.length - 2]];
    const svc = this.#v.service(ns, svcName);
    if (!svc) return this.nxdomain();
    const fqdn = `${svcName}.${ns}.svc.${this.#o.domain}`;
    if (l.length === 2) return this.#service(q, svc, fqdn);
    if (l.length === 3) {
      // An endpoint of a headless service, by hostname or dashed IP.
      const eps = this.#endpoints(svc).filter(e => e.host === l[0]);
      if (!eps.length) return this.nxdomain();
      return this.#address(q, `${l[0]}.${fqdn}`, eps.map(e => e.ip));
    }
    if (l.length === 4 && l[0].startsWith('_') && l[1].startsWith('_')) {
      if (q.type !== TYPE.SRV && q.type !== TYPE.ANY) return this.#srvTargets(svc, l[0].slice(1), l[1].slice(1), fqdn).length ? this.nodata() : this.nxdomain();
      const recs = this.#srvTargets(svc, l[0].slice(1), l[1].slice(1), fqdn);
      if (!recs.length) return this.nxdomain();
      return this.#srv(q, recs);
    }
    return this.nxdomain();
  }

  #service(q: Question, svc: KubeObject, fqdn: string): Response {
    const s = svc.spec ?? {};
    if (s.type === 'ExternalName') {
      return { rcode: 0, aa: true, answers: [{ name: q.name, ttl: this.#o.ttl, data: { type: TYPE.CNAME, target: String(s.externalName).replace(/\.$/, '').toLowerCase() } }], authority: [], additional: [] };
    }
    if (q.type === TYPE.SRV) return this.#srv(q, this.#srvTargets(svc, undefined, undefined, fqdn));
    const ips = s.clusterIP === 'None' ? this.#endpoints(svc).map(e => e.ip) : (s.clusterIPs ?? [s.clusterIP]).filter(Boolean) as string[];
    return this.#address(q, q.name, [...new Set(ips)]);
  }

  /** A/AAAA (or NODATA for other types) for a name that exists. */
  #address(q: Question, name: string, ips: string[]): Response {
    const want = q.type === TYPE.AAAA ? 6 : q.type === TYPE.A || q.type === TYPE.ANY ? 4 : 0;
    const data: RData[] = ips.filter(ip => (ip.includes(':') ? 6 : 4) === want)
      .map(ip => (want === 6 ? { type: 28 as const, ip } : { type: 1 as const, ip }));
    return data.length ? this.#records({ ...q, name }, data) : this.nodata();
  }

  #records(q: Question, data: RData[]): Response {
    return { rcode: 0, aa: true, answers: data.map(d => ({ name: q.name, ttl: this.#o.ttl, data: d })), authority: [], additional: [] };
  }

  #srvTargets(svc: KubeObject, port: string | undefined, proto: string | undefined, fqdn: string): Array<{ target: string; port: number; ip: string }> {
    const match = (p: { name?: string; protocol?: string }) =>
      (port === undefined || (p.name ?? '') === port) && (proto === undefined || (p.protocol ?? 'TCP').toLowerCase() === proto);
    if (svc.spec?.clusterIP !== 'None') {
      const ports = ((svc.spec?.ports ?? []) as Array<{ name?: string; port: number; protocol?: string }>).filter(p => p.name && match(p));
      return ports.map(p => ({ target: fqdn, port: p.port, ip: svc.spec.clusterIP as string }));
    }
    return this.#endpoints(svc).flatMap(e => e.ports.filter(p => p.name && match(p)).map(p => ({ target: `${e.host}.${fqdn}`, port: p.port, ip: e.ip })));
  }

  #srv(q: Question, recs: Array<{ target: string; port: number; ip: string }>): Response {
    if (!recs.length) return this.nodata();
    const weight = Math.floor(100 / recs.length) || 1;
    const seen = new Set<string>();
    return {
      rcode: 0, aa: true,
      answers: recs.map(r => ({ name: q.name, ttl: this.#o.ttl, data: { type: 33 as const, priority: 0, weight, port: r.port, target: r.target } })),
      authority: [],
      additional: recs.filter(r => !seen.has(r.target) && seen.add(r.target)).map(r => ({ name: r.target, ttl: this.#o.ttl, data: { type: 1 as const, ip: r.ip } })),
    };
  }

  /** Ready endpoints of the service's slices, with their DNS host label. */
  #endpoints(svc: KubeObject): Ep[] {
    const out = new Map<string, Ep>();
    for (const sl of this.#v.slices(svc.metadata!.namespace!, svc.metadata!.name!)) {
      const ports = ((sl.ports ?? []) as Array<{ name?: string; port?: number; protocol?: string }>)
        .filter(p => p.port).map(p => ({ name: p.name ?? '', port: p.port!, protocol: p.protocol ?? 'TCP' }));
      for (const e of (sl.endpoints ?? []) as Array<{ addresses?: string[]; hostname?: string; conditions?: { ready?: boolean } }>) {
        if (e.conditions?.ready === false) continue;
        for (const ip of e.addresses ?? []) {
          const host = (e.hostname ?? ip.replace(/[.:]/g, '-')).toLowerCase();
          const cur = out.get(`${host}/${ip}`);
          if (cur) cur.ports.push(...ports); else out.set(`${host}/${ip}`, { ip, host, ports: [...ports] });
        }
      }
    }
    return [...out.values()];
  }

  #pod(q: Question, dashed: string, ns: string): Response {
    const ip = dashed.split('-').join('.');
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return this.nxdomain();
    // "pods verified": only an IP a pod in that namespace really has.
    if (!this.#v.podByIP(ip).some(p => p.metadata?.namespace === ns)) return this.nxdomain();
    return this.#address(q, q.name, [ip]);
  }

  #reverse(q: Question): Response | undefined {
    const parts = q.name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    if (!this.#o.reverseCidrs.some(c => inCidr(ip, c))) return undefined;
    const svc = this.#v.serviceByIP(ip);
    const d = this.#o.domain;
    const target = svc ? `${svc.metadata!.name}.${svc.metadata!.namespace}.svc.${d}` : this.#endpointName(ip);
    if (!target) return this.nxdomain();
    return q.type === TYPE.PTR || q.type === TYPE.ANY ? this.#records(q, [{ type: TYPE.PTR, target }]) : this.nodata();
  }

  /** hostname.svc.ns.svc.<zone> of a headless endpoint with this IP (pods by IP, then their services). */
  #endpointName(ip: string): string | undefined {
    for (const pod of this.#v.podByIP(ip)) {
      const sub = pod.spec?.subdomain as string | undefined, host = pod.spec?.hostname as string | undefined;
      if (sub && host && this.#v.service(pod.metadata!.namespace!, sub)) return `${host}.${sub}.${pod.metadata!.namespace}.svc.${this.#o.domain}`;
    }
    return undefined;
  }
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}
