/**
 * ../shared/examples/web-deployment.yaml end to end with real pods: a `kubeling server`
 * child runs the API, controllers, scheduler and node agent (own bridge, pod CIDR, runc
 * root, service range); this process runs what server.ts does not wire yet — the
 * Endpoints/EndpointSlice controllers (index-c) and startServices (proxy, DNS, LB status)
 * with its own chain prefix. Then, as the issue asks: `wget -qO- http://web` from a pod
 * over 60 requests reaches all three replicas; NODEIP:30080 answers; a pod failing its
 * readiness probe stops getting traffic and comes back; scaled to 1 only that pod answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, SharedInformerFactory, silentLogger } from '../../src/client/index.js';
import type { Component, ComponentContext } from '../../src/cli/components.js';
import { startServices } from '../../src/cli/wire-services.js';
import { startControllersC } from '../../src/controllers/index-c.js';
import { execRunner, randomPrefix } from '../../src/proxy/index.js';
import { NodeCluster, ensureSharedImages, eventually, rootSkip } from '../node/cluster.js';
import { ourRules } from '../proxy/setup.js';
import { FakeUpstream } from '../dns/helpers.js';

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

const SERVER_MAIN = fileURLToPath(new URL('../node/server-main.js', import.meta.url));
const EXAMPLE = readFileSync(new URL('../../../../shared/examples/web-deployment.yaml', import.meta.url), 'utf8');

/** The httpd process of a pod (its container's hostname is the pod name). */
function containerPid(pod: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').startsWith('httpd\0-f')) continue;
      if (readFileSync(`/proc/${d}/root/etc/hostname`, 'utf8').trim() === pod) return Number(d);
    } catch { /* gone meanwhile */ }
  }
  throw new Error(`no httpd process for ${pod}`);
}

const get = (url: string) => new Promise<string>(resolve => {
  const req = http.get(url, { agent: false, timeout: 3000 }, res => { let b = ''; res.on('data', c => (b += c)); res.on('end', () => resolve(b.trim())); });
  req.on('timeout', () => { req.destroy(); resolve('ERR timeout'); });
  req.on('error', e => resolve(`ERR ${(e as NodeJS.ErrnoException).code}`));
});

describe('web-deployment end to end', { skip: rootSkip }, () => {
  const cluster = new NodeCluster();
  const prefix = randomPrefix();
  const b = randomBytes(2);
  const serviceCidr = `10.${100 + (b[0]! % 50)}.${b[1]}.0/24`;
  let client: Client;
  let informers: SharedInformerFactory;
  const components: Component[] = [];
  let nodeIP = '';
  let upstream: FakeUpstream | undefined;

  const pods = async () => JSON.parse(await cluster.k(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as Array<{
    metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
  }>;
  const ready = (p: Awaited<ReturnType<typeof pods>>[number]) => !p.metadata.deletionTimestamp && !!p.status.conditions?.some(c => c.type === 'Ready' && c.status === 'True');
  /**
   * Runs a shell command inside a pod's container (its mount, UTS and network namespaces:
   * its own busybox and /etc/resolv.conf). WAITS ON the exec subresource: switch to
   * `kubectl exec` once the API server routes pods/exec to the agent.
   */
  const inPod = async (pod: string, script: string) => {
    const pid = containerPid(pod);
    const r = await execRunner('nsenter', ['-t', String(pid), '-m', '-u', '-n', '--', '/bin/sh', '-c', script]);
    if (r.code !== 0) throw new Error(`in ${pod}: ${script}: ${r.stderr}`);
    return r.stdout;
  };
  /** `n` wget requests from inside `pod`, one hostname per line (no `wget -T`: busybox-static 1.35 segfaults with it). */
  const fromPod = async (pod: string, n: number) => (await inPod(pod, `for i in $(seq ${n}); do timeout 5 wget -qO- http://web || echo ERR; done`)).trim().split('\n');

  before(async () => {
    await ensureSharedImages();
    const env = {
      ...process.env, KUBELING_LOG_FORMAT: 'json', KUBELING_PROXY: 'false', KUBELING_DNS: 'false',
    };
    const flags = {
      dataDir: cluster.dataDir, writeKubeconfig: cluster.kubeconfig, port: 0, bindAddress: '127.0.0.1', disableAgent: false, tlsSan: [],
      nodeName: cluster.nodeName, clusterCidr: cluster.cidrs.cluster, serviceCidr, disableControllers: false, disableScheduler: false,
      agent: cluster.agentFlags(),
    };
    const proc = spawn(process.execPath, [SERVER_MAIN, JSON.stringify(flags)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    cluster.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      proc.stderr!.on('data', (c: Buffer) => {
        buf += c.toString();
        if (process.env.KUBELING_TEST_VERBOSE) process.stderr.write(c);
        if (buf.includes('"test server wired"')) resolve();
      });
      proc.on('exit', code => reject(new Error(`server exited ${code}: ${buf.slice(-2000)}`)));
    });
    client = Client.fromKubeconfig(cluster.kubeconfig);
    informers = new SharedInformerFactory(client, { logger: silentLogger });
    const ctx: ComponentContext = {
      client, informers, nodeName: cluster.nodeName, dataDir: cluster.dataDir,
      config: { clusterCidr: cluster.cidrs.cluster, serviceCidr, nodeMonitorGracePeriod: 40, podEvictionTimeout: 300 },
    };
    components.push(...startControllersC(ctx));
    upstream = await new FakeUpstream().start();
    components.push(...await startServices(ctx, { chainPrefix: prefix, dnsUpstreams: [{ host: '127.0.0.1', port: upstream.port }] }));
    informers.start();
    const node = await eventually(async () => (await client.get({ apiVersion: 'v1', kind: 'Node' }, cluster.nodeName).catch(() => undefined)), 30_000, 'node object');
    nodeIP = (node.status?.addresses as Array<{ type: string; address: string }>).find(a => a.type === 'InternalIP')!.address;
    // Pods get the cluster DNS in resolv.conf only if kube-dns exists when they start.
    await eventually(async () => (await cluster.kubectl(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'name'])).stdout.trim(), 20_000, 'kube-dns endpoint');
    await cluster.k(['apply', '-f', '-'], EXAMPLE);
    await eventually(async () => (await pods()).filter(ready).length === 3, 120_000, '3 ready web pods');
  });

  after(async () => {
    await cluster.kubectl(['delete', 'deployment', 'web', '--wait=false']);
    for (const c of components.reverse()) await c.stop().catch(() => {});
    informers?.stop();
    client?.close();
    await upstream?.stop();
    try {
      await cluster.destroy();
    } finally {
      // A server that died early can make the purge fail: the data dir must still go (never with mounts inside).
      if (!readFileSync('/proc/self/mountinfo', 'utf8').includes(cluster.dataDir)) rmSync(cluster.dataDir, { recursive: true, force: true });
    }
    assert.deepEqual(await ourRules(prefix), [], 'no proxy rules left');
    assert.deepEqual(cluster.leftovers(), []);
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
