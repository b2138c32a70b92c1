/**
 * ../shared/examples/web-deployment.yaml end to end with real pods, through the server as
 * `kubeling server` wires it: one child process runs the API, controllers (Endpoints and
 * EndpointSlices included), scheduler, node agent, service proxy (this cluster's chain
 * prefix and service range), cluster DNS (forwarding to a fake upstream on loopback) and
 * ServiceLB. Then, as the issue asks: `wget -qO- http://web` from a pod over 60 requests
 * reaches all three replicas; NODEIP:30080 answers; a pod failing its readiness probe
 * stops getting traffic and comes back; DNS answers busybox nslookup; LoadBalancer ingress
 * is the node IP; `kubectl expose` works; a restart (also after a crash and tampering)
 * converges to exactly the same rules; scaled to 1 only that pod answers; shutdown
 * removes every rule and route.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { ServicesOptions } from '../../src/cli/wire-services.js';
import { TYPE } from '../../src/dns/index.js';
import { execRunner } from '../../src/proxy/index.js';
import { NodeCluster, eventually, rootSkip } from '../node/cluster.js';
import { ourRules } from '../proxy/sweep.js';
import { FakeUpstream, ips as answerIPs, tcpQuery, udpQuery } from '../dns/helpers.js';

const PEERS = `apiVersion: v1
kind: Service
metadata: {name: peers}
spec:
  clusterIP: None
  selector: {app: peers}
  ports: [{name: tcp, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: peers}
spec:
  serviceName: peers
  replicas: 2
  selector: {matchLabels: {app: peers}}
  template:
    metadata: {labels: {app: peers}}
    spec:
      containers: [{name: c, image: busybox, command: [sleep, '3600']}]
`;

const EXAMPLE = readFileSync(new URL('../../../../shared/examples/web-deployment.yaml', import.meta.url), 'utf8');

/** A TCP port free on the node address right now (the DNS server takes it for UDP and TCP). */
const freePort = () => new Promise<number>(resolve => {
  const srv = net.createServer().listen(0, () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
});

const get = (url: string) => new Promise<string>(resolve => {
  const req = http.get(url, { agent: false, timeout: 3000 }, res => { let b = ''; res.on('data', c => (b += c)); res.on('end', () => resolve(b.trim())); });
  req.on('timeout', () => { req.destroy(); resolve('ERR timeout'); });
  req.on('error', e => resolve(`ERR ${(e as NodeJS.ErrnoException).code}`));
});

describe('web-deployment end to end', { skip: rootSkip }, () => {
  const cluster = new NodeCluster();
  const prefix = cluster.chainPrefix;
  let services: Partial<ServicesOptions>;
  let nodeIP = '';
  let dnsIP = '';
  let upstream: FakeUpstream | undefined;

  const pods = async () => JSON.parse(await cluster.k(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as Array<{
    metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
  }>;
  const ready = (p: Awaited<ReturnType<typeof pods>>[number]) => !p.metadata.deletionTimestamp && !!p.status.conditions?.some(c => c.type === 'Ready' && c.status === 'True');
  /** Runs a shell command in a pod's container with the real `kubectl exec` (its own busybox, network and /etc/resolv.conf). */
  const inPod = async (pod: string, script: string) => {
    const r = await cluster.kubectl(['exec', pod, '--', '/bin/sh', '-c', script]);
    if (r.code !== 0) throw new Error(`in ${pod}: ${script}: ${r.stderr}`);
    return r.stdout;
  };

  /** `n` wget requests from inside `pod`, one hostname per line (no `wget -T`: busybox-static 1.35 segfaults with it). */
  const fromPod = async (pod: string, n: number) => (await inPod(pod, `for i in $(seq ${n}); do timeout 5 wget -qO- http://web || echo ERR; done`)).trim().split('\n');

  /** Starts (or restarts) the server; resolves once kube-dns points at this run's DNS server. */
  const startServer = async () => {
    await cluster.start({ controllers: true, scheduler: true, services });
    await eventually(async () => (await cluster.kubectl(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'jsonpath={.items[*].ports[*].port}'])).stdout.includes(String(services.dnsPort)), 30_000, 'kube-dns endpoint');
  };

  before(async () => {
    upstream = await new FakeUpstream().start();
    // A fixed DNS port, so rules after a restart can be compared with those before.
    services = { proxy: true, dns: true, dnsPort: await freePort(), dnsUpstreams: [{ host: '127.0.0.1', port: upstream.port }] };
    await startServer();
    const node = await eventually(async () => (await cluster.client.get({ apiVersion: 'v1', kind: 'Node' }, cluster.nodeName).catch(() => undefined)), 30_000, 'node object');
    nodeIP = (node.status?.addresses as Array<{ type: string; address: string }>).find(a => a.type === 'InternalIP')!.address;
    dnsIP = JSON.parse(await cluster.k(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json'])).spec.clusterIP;
    await cluster.k(['apply', '-f', '-'], EXAMPLE);
    await eventually(async () => (await pods()).filter(ready).length === 3, 120_000, '3 ready web pods');
  });

  after(async () => {
    await cluster.kubectl(['delete', 'deployment', 'web', '--wait=false']);
    await upstream?.stop();
    // Shutdown (SIGTERM) by itself removes every rule and route the proxy made.
    await cluster.stop();
    const left = await ourRules(prefix);
    const routes = (await execRunner('ip', ['route', 'show', 'type', 'unreachable'])).stdout;
    await cluster.destroy();
    assert.deepEqual(left, [], 'rules left after shutdown');
    assert.ok(!routes.includes(cluster.serviceCidr), `service route left after shutdown: ${routes}`);
    assert.deepEqual(cluster.leftovers(), []);
  });

  it('kube-dns sits at the 10th address of the service range and pods resolve through it', async () => {
    assert.equal(dnsIP, cluster.serviceCidr.replace(/\.0\/24$/, '.10'));
    const [p] = await pods();
    const conf = await inPod(p.metadata.name, 'cat /etc/resolv.conf');
    assert.match(conf, new RegExp(`^nameserver ${dnsIP.replace(/\./g, '\\.')}$`, 'm'), conf);
    assert.match(conf, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m, conf);
    assert.match(conf, /ndots:5/, conf);
  });

  it('from a pod, wget http://web reaches every replica over 60 requests', async () => {
    const [p] = await pods();
    const answers = await fromPod(p.metadata.name, 60);
    const names = new Set(answers);
    const all = (await pods()).map(x => x.metadata.name).sort();
    assert.deepEqual([...names].sort(), all, answers.slice(0, 5).join(','));
  });

  it('from the node, NODEIP:30080 answers', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(`http://${nodeIP}:30080/`)));
    const all = (await pods()).map(x => x.metadata.name);
    assert.ok(answers.every(a => all.includes(a)), answers.join(','));
  });

  it('a pod failing its readiness probe stops getting traffic and comes back when it passes', async () => {
    const [a, b] = (await pods()).map(x => x.metadata.name);
    await inPod(a, 'rm /srv/index.html');
    await eventually(async () => !(await pods()).find(p => p.metadata.name === a && ready(p)), 30_000, `${a} unready`);
    await eventually(async () => !(await fromPod(b, 5)).includes(a), 10_000, 'endpoints without the unready pod');
    assert.ok(!(await fromPod(b, 30)).includes(a));
    await inPod(a, 'hostname > /srv/index.html');
    await eventually(async () => (await pods()).some(p => p.metadata.name === a && ready(p)), 30_000, `${a} ready again`);
    await eventually(async () => (await fromPod(b, 20)).includes(a), 20_000, `${a} answering again`);
  });

  it('DNS from a real pod: service, SRV, StatefulSet pod, pod record, upstream, NXDOMAIN (busybox nslookup)', async () => {
    await cluster.k(['apply', '-f', '-'], PEERS);
    const peers = await eventually(async () => {
      const items = JSON.parse(await cluster.k(['get', 'pods', '-l', 'app=peers', '-o', 'json'])).items as Array<{ status: { podIP?: string; conditions?: Array<{ type: string; status: string }> } }>;
      return items.length === 2 && items.every(p => p.status.conditions?.some(c => c.type === 'Ready' && c.status === 'True')) ? items : undefined;
    }, 90_000, 'two ready peers');
    const [p] = await pods();
    const web = JSON.parse(await cluster.k(['get', 'svc', 'web', '-o', 'json']));
    const ns = (q: string) => inPod(p.metadata.name, `nslookup ${q} 2>&1 || true`);
    assert.match(await ns('web'), new RegExp(`Address:\\s+${web.spec.clusterIP.replace(/\./g, '\\.')}`));
    assert.match(await ns('-type=srv _http._tcp.web.default.svc.cluster.local'), /port = 80|80 web\.default\.svc\.cluster\.local/);
    const ips = peers.map(x => x.status.podIP!).sort();
    const headless = await ns('peers.default.svc.cluster.local');
    for (const ip of ips) assert.match(headless, new RegExp(`Address:\\s+${ip.replace(/\./g, '\\.')}`), headless);
    assert.match(await ns('peers-0.peers.default.svc.cluster.local'), /Address:\s+10\./);
    assert.match(await ns(`${ips[0].replace(/\./g, '-')}.default.pod.cluster.local`), new RegExp(ips[0].replace(/\./g, '\\.')));
    assert.match(await ns('example.test'), /Address:\s+192\.0\.2\.123/);
    assert.match(await ns('nope.default.svc.cluster.local'), /NXDOMAIN/);
    await cluster.k(['delete', '-f', '-', '--wait=false'], PEERS);
  });

  it('hostPort (CNI portmap) answers on the node address', async () => {
    const hostPort = 20000 + (randomBytes(2).readUInt16BE(0) % 9000);
    await cluster.k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: hp, labels: {app: hp}}
spec:
  containers:
  - name: httpd
    image: busybox
    command: ["sh", "-c", "mkdir -p /srv && echo hostport > /srv/index.html && exec httpd -f -p 8080 -h /srv"]
    ports: [{containerPort: 8080, hostPort: ${hostPort}}]
`);
    await eventually(async () => (await get(`http://${nodeIP}:${hostPort}/`)) === 'hostport', 60_000, 'hostPort answering');
    await cluster.k(['delete', 'pod', 'hp', '--wait=false']);
  });

  it('DNS from a test client on the node: the kube-dns cluster IP answers over UDP and TCP', async () => {
    const web = JSON.parse(await cluster.k(['get', 'svc', 'web', '-o', 'json']));
    assert.deepEqual(answerIPs(await udpQuery(dnsIP, 53, 'web.default.svc.cluster.local', TYPE.A)), [web.spec.clusterIP]);
    assert.deepEqual(answerIPs(await tcpQuery(dnsIP, 53, 'web.default.svc.cluster.local', TYPE.A)), [web.spec.clusterIP]);
    assert.deepEqual(answerIPs(await udpQuery(dnsIP, 53, 'example.test', TYPE.A)), ['192.0.2.123']);
    const nx = await udpQuery(dnsIP, 53, 'nope.default.svc.cluster.local', TYPE.A);
    assert.equal(nx.rcode, 3);
    assert.ok(upstream!.queries.includes('example.test'), 'forwarded to the fake upstream');
  });

  it('kubectl expose: a ClusterIP service by name from a pod, a LoadBalancer on the node IP', async () => {
    await cluster.k(['expose', 'deployment', 'web', '--name', 'web-exp', '--port', '8081', '--target-port', '8080']);
    await cluster.k(['expose', 'deployment', 'web', '--name', 'web-lb', '--type', 'LoadBalancer', '--port', '8082', '--target-port', '8080']);
    const lb = await eventually(async () => {
      const svc = JSON.parse(await cluster.k(['get', 'svc', 'web-lb', '-o', 'json']));
      return svc.status?.loadBalancer?.ingress?.length ? svc : undefined;
    }, 30_000, 'load-balancer ingress');
    assert.deepEqual(lb.status.loadBalancer.ingress.map((i: { ip: string }) => i.ip), [nodeIP]);
    const all = (await pods()).map(x => x.metadata.name);
    await eventually(async () => all.includes(await get(`http://${nodeIP}:8082/`)), 20_000, 'LoadBalancer port on the node IP');
    const [p] = await pods();
    const answers = await eventually(async () => {
      const a = (await inPod(p.metadata.name, 'for i in $(seq 10); do timeout 5 wget -qO- http://web-exp:8081 || echo ERR; done')).trim().split('\n');
      return a.every(x => all.includes(x)) ? a : undefined;
    }, 20_000, 'web-exp answering');
    assert.equal(answers.length, 10);
    await cluster.k(['delete', 'svc', 'web-exp', 'web-lb']);
  });

  it('a restart, or a crash with tampering meanwhile, converges to exactly the same rules', async () => {
    // Let everything the earlier tests changed settle: the rules stop changing.
    // Stable means: the services the previous test deleted are gone and nothing changed for a while.
    let rules = await ourRules(prefix);
    await eventually(async () => {
      await new Promise(r => setTimeout(r, 1500));
      const now = await ourRules(prefix);
      const same = now.join() === rules.join() && !now.some(l => /default\/web-(exp|lb)/.test(l));
      rules = now;
      return same;
    }, 45_000, 'stable rules');
    assert.ok(rules.some(l => l.includes('default/web:http')), 'web service rules present');
    await cluster.stop();
    assert.deepEqual(await ourRules(prefix), [], 'a clean shutdown removes the rules');
    await startServer();
    let after: string[] = [];
    await eventually(async () => (after = await ourRules(prefix)).join('\n') === rules.join('\n'), 30_000, 'same rules after restart')
      .catch(e => { throw new Error(`${(e as Error).message}; only before: ${rules.filter(l => !after.includes(l)).slice(0, 5).join(' | ')}; only after: ${after.filter(l => !rules.includes(l)).slice(0, 5).join(' | ')}`); });

    await cluster.stop('SIGKILL'); // a crash leaves the rules; someone adds a stale chain and drops a jump
    assert.deepEqual(await ourRules(prefix), rules);
    const stale = `${prefix}SVC-STALE0000000`;
    await execRunner('iptables', ['-t', 'nat', '-N', stale]);
    await execRunner('iptables', ['-t', 'nat', '-A', `${prefix}SERVICES`, '-j', stale]);
    await execRunner('iptables', ['-t', 'nat', '-D', 'PREROUTING', ...rules.find(l => l.startsWith('-A PREROUTING'))!.slice('-A PREROUTING '.length).match(/"[^"]*"|\S+/g)!.map(a => a.replace(/"/g, ''))]);
    await startServer();
    await eventually(async () => (await ourRules(prefix)).join('\n') === rules.join('\n'), 30_000, 'same rules after crash + tampering');
    const all = (await pods()).map(x => x.metadata.name);
    assert.ok(all.includes(await get(`http://${nodeIP}:30080/`)));
  });

  it('scaled to 1, only that pod answers', async () => {
    await cluster.k(['scale', 'deployment', 'web', '--replicas=1']);
    await eventually(async () => (await pods()).filter(p => !p.metadata.deletionTimestamp).length === 1, 60_000, 'one pod left');
    const [only] = (await pods()).filter(p => !p.metadata.deletionTimestamp);
    await eventually(async () => new Set(await fromPod(only.metadata.name, 10)).size === 1, 30_000, 'single endpoint');
    assert.deepEqual([...new Set(await fromPod(only.metadata.name, 20))], [only.metadata.name]);
    const node = await Promise.all(Array.from({ length: 5 }, () => get(`http://${nodeIP}:30080/`)));
    assert.deepEqual([...new Set(node)], [only.metadata.name]);
  });
});
