/**
 * Services benchmarks (one table):
 * - HTTP requests/s and p99 to a 3-replica service through its cluster IP versus
 *   straight to one pod IP (real netns pods, real iptables rules; a new connection per
 *   request, so every request takes the DNAT path). On a shared 2-core machine single
 *   runs swing by 3× either way, so variants are measured three ways: rounds in random
 *   order (median of paired ratios, with spread), one run mixing all variants request by
 *   request (same moments, latency ratio), and CPU per request (client + servers). Extra
 *   variants split the cost: one replica behind a cluster IP (DNAT + masquerade), one
 *   outside the masqueraded range (DNAT only), and three pod IPs in turn (spreading alone);
 * - rule programming for 1,000 services × 10 endpoints: a full resync, a one-endpoint
 *   change, and removal;
 * - DNS queries/s answered by the cluster DNS server (cached cluster names, and NXDOMAIN),
 *   load from a separate process over UDP.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { KubeObject } from '../src/api/object.js';
import { ClusterZone, DnsServer, Forwarder, type ClusterView } from '../src/dns/index.js';
import {
  ChainNames, Iptables, buildBatch, builtinJumps, emptyRuleSet, execRunner, generateRules, randomPrefix, type Endpoint, type Runner,
  type ServicePortModel,
} from '../src/proxy/index.js';
import { TestNet } from '../test/proxy/netns.js';
import { registerRun, sweepDeadRuns } from '../test/proxy/sweep.js';
import { ms, pct } from './util.js';

const HTTP_SECONDS = 1, HTTP_ROUNDS = 10, HTTP_CONCURRENCY = 16, DNS_SECONDS = 3;

export async function benchServices(): Promise<object[]> {
  const rows: object[] = [];
  rows.push(...await benchHttp());
  rows.push(...await benchRules());
  rows.push(...await benchDns());
  return rows;
}

interface Load { rps: number; lat: number[]; errors: number; requests: number; cpuMs: number }

/** CPU time (ms) of the given processes so far: user + system from /proc (kernel work done in their context included). */
function cpuOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return ticks * 10; // USER_HZ = 100
}

async function load(url: string | string[], serverPids: number[] = []): Promise<Load> {
  // New connection per request: every request takes the DNAT path.
  const urls = Array.isArray(url) ? url : [url];
  let n = 0;
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + HTTP_SECONDS * 1000;
  const one = () => new Promise<void>(resolve => {
    const t0 = performance.now();
    const req = http.get(urls[n++ % urls.length], { agent: false }, res => {
      res.resume();
      res.on('end', () => { lat.push(performance.now() - t0); resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
  });
  const c0 = process.cpuUsage(), s0 = cpuOf(serverPids);
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, async () => { while (performance.now() < end) await one(); }));
  const c = process.cpuUsage(c0);
  return { rps: lat.length / HTTP_SECONDS, lat, errors, requests: lat.length, cpuMs: (c.user + c.system) / 1000 + cpuOf(serverPids) - s0 };
}

const median = (xs: number[]) => pct(xs, 50);
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/**
 * One closed-loop run whose every request picks a variant at random: all variants see the
 * very same moments of the machine's other load, so their latencies compare fairly (with
 * a fixed number of workers, throughput is inversely proportional to mean latency).
 */
async function loadMixed(variants: Record<string, string | string[]>, seconds: number): Promise<Record<string, number[]>> {
  const keys = Object.keys(variants);
  const lat: Record<string, number[]> = Object.fromEntries(keys.map(k => [k, []]));
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const one = () => new Promise<void>(resolve => {
    const k = keys[Math.floor(Math.random() * keys.length)]!;
    const v = variants[k]!;
    const url = Array.isArray(v) ? v[n++ % v.length]! : v;
    const t0 = performance.now();
    const req = http.get(url, { agent: false }, res => {
      res.resume();
      res.on('end', () => { lat[k]!.push(performance.now() - t0); resolve(); });
    });
    req.on('error', () => resolve());
  });
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, async () => { while (performance.now() < end) await one(); }));
  return lat;
}

/**
 * Every variant runs once per round, in a fresh random order, for HTTP_ROUNDS rounds:
 * the machine's other load shifts from second to second, so a ratio is taken within a
 * round (paired) and the median over rounds reported, with its spread.
 */
export async function benchHttp(): Promise<object[]> {
  const net = await TestNet.create(3);
  const names = new ChainNames(randomPrefix());
  const unregister = registerRun({ prefix: names.prefix }); // an interrupted bench's chains go with the next run
  const ipt = new Iptables();
  const b = randomBytes(1)[0]!;
  // vipNoMasq lies outside the service range, so the "off-pod-network clients" masquerade rule skips it.
  const vip = `10.254.${b}.10`, vip1 = `10.254.${b}.11`, vipNoMasq = `10.254.${b}.200`;
  try {
    for (let i = 0; i < 3; i++) await net.serve(i);
    const eps: Endpoint[] = net.pods.map(p => ({ ip: p.ip, port: 8080, ready: true, serving: true, terminating: false }));
    const svc = (id: string, ip: string, e: Endpoint[]): ServicePortModel => ({
      id, protocol: 'TCP', clusterIPs: [ip], port: 80, loadBalancerIPs: [], externalIPs: [],
      externalLocal: false, internalLocal: false, clusterEndpoints: e, localEndpoints: e,
    });
    const model = [svc('bench/web:http', vip, eps), svc('bench/one:http', vip1, eps.slice(0, 1)), svc('bench/nomasq:http', vipNoMasq, eps.slice(0, 1))];
    const rules = generateRules(model, { names, clusterCidr: net.cidr, serviceCidr: `10.254.${b}.0/25` });
    await ipt.restore(buildBatch(rules, { nat: new Set(), filter: new Set() }, undefined, builtinJumps(names).reverse()).text);
    const variants: Record<string, string | string[]> = {
      direct: `http://${net.pods[0].ip}:8080/`,
      spread: net.pods.map(p => `http://${p.ip}:8080/`),
      vip: `http://${vip}/`,
      vip1: `http://${vip1}/`,
      nomasq: `http://${vipNoMasq}/`,
    };
    const pids = net.pods.map(p => p.server!.pid!);
    for (const u of Object.values(variants)) await load(u, pids); // warm up (JIT, conntrack, ARP)
    const runs: Record<string, Load[]> = Object.fromEntries(Object.keys(variants).map(k => [k, []]));
    for (let round = 0; round < HTTP_ROUNDS; round++) {
      const order = Object.keys(variants).sort(() => Math.random() - 0.5);
      for (const k of order) runs[k].push(await load(variants[k], pids));
    }
    const mixed = await loadMixed(variants, HTTP_ROUNDS * HTTP_SECONDS);
    const mixedRatio = (bench: string, a: string, b: string) => ({
      bench, value: ms(median(mixed[b]!) / median(mixed[a]!)), unit: 'median latency ratio (≈ throughput ratio), mixed run',
      mean_ratio: ms(mean(mixed[b]!) / mean(mixed[a]!)), p99_ratio: ms(pct(mixed[b]!, 99) / pct(mixed[a]!, 99)), requests: mixed[a]!.length + mixed[b]!.length,
    });
    // CPU per request (client + servers, kernel path included): the proxy's cost whatever else runs.
    const cpuPerReq = (k: string) => runs[k].reduce((a, r) => a + r.cpuMs, 0) * 1000 / runs[k].reduce((a, r) => a + r.requests, 0);
    const row = (bench: string, k: string) => ({
      bench, value: Math.round(median(runs[k].map(r => r.rps))), unit: 'req/s (median)',
      p99_ms: ms(pct(runs[k].flatMap(r => r.lat), 99)), cpu_us_per_req: Math.round(cpuPerReq(k)), errors: runs[k].reduce((a, r) => a + r.errors, 0),
    });
    const ratio = (bench: string, a: string, b: string, unit: string) => {
      const rs = runs[a].map((r, i) => r.rps / runs[b][i].rps);
      const p99 = pct(runs[a].flatMap(r => r.lat), 99) / pct(runs[b].flatMap(r => r.lat), 99);
      return { bench, value: ms(median(rs)), unit, min: ms(Math.min(...rs)), max: ms(Math.max(...rs)), p99_ratio: ms(p99), cpu_ratio: ms(cpuPerReq(b) / cpuPerReq(a)) };
    };
    return [
      row(`http → one pod IP (new connection each; ${HTTP_ROUNDS} × ${HTTP_SECONDS} s interleaved)`, 'direct'),
      row('http → 3 pod IPs in turn', 'spread'),
      row('http → cluster IP, 3 replicas', 'vip'),
      row('http → cluster IP, 1 replica (that one pod)', 'vip1'),
      row('http → cluster IP, 1 replica, no masquerade', 'nomasq'),
      mixedRatio('cluster IP (3) / one pod IP, requests mixed in one run', 'vip', 'direct'),
      mixedRatio('cluster IP (1) / that pod IP, requests mixed in one run', 'vip1', 'direct'),
      mixedRatio('cluster IP (3) / 3 pod IPs in turn, requests mixed in one run', 'vip', 'spread'),
      ratio('cluster IP (3) / one pod IP', 'vip', 'direct', 'rps ratio, median of rounds (target ≥ 0.9)'),
      ratio('cluster IP (1) / that pod IP (DNAT+masquerade cost)', 'vip1', 'direct', 'rps ratio, median of rounds'),
      ratio('cluster IP (1), no masquerade / that pod IP (DNAT cost)', 'nomasq', 'direct', 'rps ratio, median of rounds'),
      ratio('cluster IP (3) / 3 pod IPs in turn', 'vip', 'spread', 'rps ratio, median of rounds'),
    ];
  } finally {
    await removeAll(ipt, names);
    await net.destroy();
    unregister();
  }
}

async function removeAll(ipt: Iptables, names: ChainNames): Promise<void> {
  const existing = await ipt.ownChains(names.prefix);
  const present = [];
  for (const j of builtinJumps(names)) if (await ipt.has(j.table, j.chain, j.rule)) present.push(j);
  const batch = buildBatch(emptyRuleSet(), existing, undefined, [], present);
  if (batch.text) await ipt.restore(batch.text);
}

/** `nodes` > 1 spreads endpoints over that many nodes (this node is n0: hairpin rules only for its own endpoints). */
function bigModel(services: number, perService: number, bump = -1, nodes = 1): ServicePortModel[] {
  const out: ServicePortModel[] = [];
  for (let s = 0; s < services; s++) {
    const eps: Endpoint[] = Array.from({ length: perService }, (_, e) => ({
      ip: `10.253.${Math.floor((s * perService + e) / 250) % 256}.${((s * perService + e) % 250) + 1}`,
      port: s === bump && e === 0 ? 9090 : 8080, nodeName: `n${(s * perService + e) % nodes}`, ready: true, serving: true, terminating: false,
    }));
    out.push({
      id: `bench/svc-${s}:http`, protocol: 'TCP', clusterIPs: [`10.252.${Math.floor(s / 250)}.${(s % 250) + 1}`], port: 80,
      nodePort: 30000 + s, loadBalancerIPs: [], externalIPs: [], externalLocal: false, internalLocal: false,
      clusterEndpoints: eps, localEndpoints: eps,
    });
  }
  return out;
}

/** Runs commands under /usr/bin/time to add their CPU time (user+sys) to `cpu.ms`: load-independent. */
function timedRunner(cpu: { ms: number }): Runner {
  return async (cmd, args, stdin) => {
    const r = await execRunner('/usr/bin/time', ['-f', '@cpu %U %S', cmd, ...args], stdin);
    const m = /@cpu (\S+) (\S+)\s*$/.exec(r.stderr);
    if (m) cpu.ms += (Number(m[1]) + Number(m[2])) * 1000;
    return { ...r, stderr: r.stderr.replace(/@cpu .*\s*$/, '') };
  };
}

/** Wall and CPU time of `fn` (CPU = this process's plus timed commands'). */
async function measure(cpu: { ms: number }, fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = cpu.ms, u0 = process.cpuUsage(), t0 = performance.now();
  await fn();
  const u = process.cpuUsage(u0);
  return { wall: performance.now() - t0, cpu: cpu.ms - c0 + (u.user + u.system) / 1000 };
}

export async function benchRules(): Promise<object[]> {
  await sweepDeadRuns();
  const names = new ChainNames(randomPrefix());
  const unregister = registerRun({ prefix: names.prefix });
  const cpu = { ms: 0 };
  const ipt = new Iptables(timedRunner(cpu));
  const opts = { names, clusterCidr: '10.253.0.0/16', serviceCidr: '10.252.0.0/16', nodeName: 'n0' };
  try {
    let full!: ReturnType<typeof buildBatch>;
    let change!: ReturnType<typeof buildBatch>;
    const gen = await measure(cpu, async () => {
      full = buildBatch(generateRules(bigModel(1000, 10), opts), { nat: new Set(), filter: new Set() }, undefined, builtinJumps(names).reverse());
    });
    const first = await measure(cpu, () => ipt.restore(full.text));
    // The resync after a restart: every chain rewritten over existing ones.
    const existing = { nat: new Set(full.next.nat.keys()), filter: new Set(full.next.filter.keys()) };
    const resync = await measure(cpu, () => ipt.restore(buildBatch(generateRules(bigModel(1000, 10), opts), existing).text));
    const partial = await measure(cpu, async () => {
      change = buildBatch(generateRules(bigModel(1000, 10, 500), opts), existing, full.next);
      await ipt.restore(change.text);
    });
    const remove = await measure(cpu, () => removeAll(ipt, names));
    // The same services on a 100-node cluster: 100 endpoints here, so 100 hairpin rules instead of 10,000
    // (a node runs at most ~110 pods upstream; all 10,000 endpoints local is the worst case above).
    let spread!: ReturnType<typeof buildBatch>;
    const spreadSync = await measure(cpu, async () => {
      spread = buildBatch(generateRules(bigModel(1000, 10, -1, 100), opts), { nat: new Set(), filter: new Set() }, undefined, builtinJumps(names).reverse());
      await ipt.restore(spread.text);
    });
    await removeAll(ipt, names);
    const row = (bench: string, m: { wall: number; cpu: number }, unit: string, extra: object = {}) =>
      ({ bench, value: ms(m.wall), unit, cpu_ms: ms(m.cpu), ...extra });
    return [
      row('rules 1000 svc (NodePort) × 10 ep: generate', gen, 'ms', { rules: full.rules, chains: full.changed }),
      row('rules 1000 svc × 10 ep: first full sync (incl. generate)', { wall: gen.wall + first.wall, cpu: gen.cpu + first.cpu }, 'ms (target ≤ 1000)'),
      row('rules 1000 svc × 10 ep: full resync over existing', resync, 'ms (target ≤ 1000)'),
      row('rules: one endpoint changed (partial sync)', partial, 'ms', { chains: change.changed }),
      row('rules: remove all', remove, 'ms'),
      row('rules 1000 svc × 10 ep over 100 nodes: first full sync', spreadSync, 'ms (target ≤ 1000)', { rules: spread.rules }),
    ];
  } catch (e) {
    await removeAll(ipt, names).catch(() => {});
    throw e;
  } finally {
    unregister();
  }
}

/** Sends queries from `names` with `window` in flight for `seconds`; prints answers/s. */
const DNS_CLIENT = `
const dgram = require('dgram');
const [port, seconds, window, ...names] = process.argv.slice(1);
const q = names.map(n => { const parts = n.split('.'); const b = [Buffer.alloc(12)];
  b[0].writeUInt16BE(0x0100, 2); b[0].writeUInt16BE(1, 4);
  for (const p of parts) b.push(Buffer.from([p.length]), Buffer.from(p));
  b.push(Buffer.from([0, 0, 1, 0, 1])); return Buffer.concat(b); });
const s = dgram.createSocket('udp4');
let got = 0, i = 0, counting = false;
const send = () => { const m = q[i++ % q.length]; m.writeUInt16BE(i & 0xffff, 0); s.send(m, +port, '127.0.0.1'); };
s.on('message', () => { if (counting) got++; send(); });
s.bind(0, () => {
  for (let k = 0; k < +window; k++) send();
  setTimeout(() => { counting = true; setTimeout(() => { console.log(got / +seconds); process.exit(0); }, seconds * 1000); }, 300);
  // Lost datagrams would shrink the window: top it up.
  setInterval(() => { for (let k = 0; k < 8; k++) send(); }, 50).unref();
});
`;

/** Answers/s seen by the load process, and answers per CPU-second of the server (this process): its capacity whatever else runs. */
async function dnsLoad(port: number, names: string[], seconds = DNS_SECONDS): Promise<{ qps: number; perCpuSecond: number }> {
  const c0 = process.cpuUsage();
  const child = spawn(process.execPath, ['-e', DNS_CLIENT, String(port), String(seconds), '64', ...names], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', d => (out += d));
  await new Promise(r => child.once('exit', r));
  const c = process.cpuUsage(c0);
  const qps = Number(out.trim());
  // The client counts for `seconds` after a 0.3 s warm-up; the server worked for all of it.
  return { qps, perCpuSecond: (qps * seconds) / ((c.user + c.system) / 1e6) * (seconds / (seconds + 0.3)) };
}

export async function benchDns(): Promise<object[]> {
  const services = new Map<string, KubeObject>();
  for (let i = 0; i < 1000; i++) {
    services.set(`bench/svc-${i}`, { metadata: { namespace: 'bench', name: `svc-${i}` }, spec: { clusterIP: `10.43.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80 }] } });
  }
  const view: ClusterView = {
    service: (ns, n) => services.get(`${ns}/${n}`), namespaceHasServices: ns => ns === 'bench',
    slices: () => [], podByIP: () => [], serviceByIP: () => undefined,
  };
  const zone = new ClusterZone(view, { domain: 'cluster.local', ttl: 5, reverseCidrs: ['10.43.0.0/16'] });
  const fwd = new Forwarder({ upstreams: [] });
  const server = new DnsServer({ host: '127.0.0.1', port: 0, zone, forwarder: fwd });
  await fwd.start();
  const { port } = await server.listen();
  try {
    await dnsLoad(port, ['svc-2.bench.svc.cluster.local', 'nope.bench.svc.cluster.local'], 1); // warm up (JIT)
    const hot = await dnsLoad(port, ['svc-1.bench.svc.cluster.local']);
    const spread = await dnsLoad(port, Array.from({ length: 1000 }, (_, i) => `svc-${i}.bench.svc.cluster.local`));
    const nx = await dnsLoad(port, Array.from({ length: 50 }, (_, i) => `nope-${i}.bench.svc.cluster.local`));
    return [
      { bench: 'dns A, one service name (UDP)', value: Math.round(hot.qps), unit: 'q/s (target ≥ 20000)', per_cpu_second: Math.round(hot.perCpuSecond) },
      { bench: 'dns A, 1000 service names (UDP)', value: Math.round(spread.qps), unit: 'q/s (target ≥ 20000)', per_cpu_second: Math.round(spread.perCpuSecond) },
      { bench: 'dns NXDOMAIN (UDP)', value: Math.round(nx.qps), unit: 'q/s', per_cpu_second: Math.round(nx.perCpuSecond) },
    ];
  } finally {
    await server.close();
    fwd.close();
  }
}
