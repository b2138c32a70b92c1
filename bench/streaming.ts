/**
 * Streaming benchmark with the real kubectl against a real `kubeling server` (API server →
 * node agent → runc busybox pod):
 * - exec round trip, `kubectl exec web -- true` p50 over 30, next to `kubectl version
 *   --client` (what starting kubectl alone costs);
 * - port-forward throughput of 100 MB pod → client (busybox httpd serving a 100 MB file)
 *   through `kubectl port-forward` (SPDY in WebSocket) and through client-node's channel
 *   protocol, against a direct connection to the pod IP (target ratio ≥ 0.5). The machine
 *   is shared, so the three are measured in interleaved rounds (direct, kubectl,
 *   client-node, ROUNDS times): MB_per_s and ratio are the best of each (the least
 *   disturbed run), paired_ratio the median over rounds of forwarded / direct in the same
 *   round. server_cpu_ms is the server process's CPU (user + system, every thread: the API
 *   server's and the agent's; KUBELING_TEST_AGENT_THREAD=main|own picks where the agent runs)
 *   per 100 MB, median over rounds, which other load disturbs far less than throughput.
 *   kubectl_cpu_ms and client_cpu_ms are the same for the `kubectl port-forward` process and
 *   for the downloading client (a process of its own, the same for every path).
 * - exec throughput: `kubectl exec web -- cat` of the same 100 MB, server CPU per 100 MB.
 *   KUBELING_BENCH_ROUNDS overrides the number of rounds (default 5); KUBELING_BENCH_EXEC_N
 *   the number of exec / version runs (default 30; 0 skips them).
 * Run alone: node dist/bench/streaming.js (needs root: real pods).
 */
import { execFile, spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { eventually, NodeCluster } from '../test/node/cluster.js';

const MB = 1 << 20;
const SIZE = 100 * MB;

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}

const run = (args: string[]) => new Promise<number>((resolve, reject) => {
  const t = performance.now();
  execFile('kubectl', args, err => err ? reject(err) : resolve(performance.now() - t));
});

const podYaml = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && head -c ${SIZE} /dev/zero > /www/big && exec httpd -f -p 80 -h /www"]
`;

function downloadOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let head = Buffer.alloc(0);
    let body = -1; // body bytes seen, once the response head is complete
    let done = false;
    // Reads land in one reused 1 MiB buffer: a client that allocates per read is itself the
    // bottleneck of the direct path (it made the baseline, not the forward, the slow one).
    const s: Socket = connect({
      port, host, onread: {
        buffer: Buffer.allocUnsafe(1 << 20),
        callback: (n: number, buf: Uint8Array): boolean => {
          if (body < 0) {
            head = Buffer.concat([head, buf.subarray(0, n)]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) return true;
            body = head.length - end - 4;
          } else {
            body += n;
          }
          // Counted, not waited for close: a forward may keep the local end open after the pod closed.
          if (body >= SIZE && !done) { done = true; resolve((performance.now() - t) / 1000); s.destroy(); }
          return true;
        },
      },
    });
    s.on('connect', () => s.write(`GET /big HTTP/1.0\r\nHost: x\r\n\r\n`));
    s.on('error', e => { if (!done) { done = true; reject(e); } });
    s.on('close', () => { if (!done) { done = true; reject(new Error(`only ${Math.max(body, 0)} bytes`)); } });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * Seconds for one download, and the CPU ms it cost the server, the forwarding kubectl (if
 * any) and the client. The client is a process of its own (this file with --download), the
 * same for every path, so the client-node forwarder living in this process costs it nothing.
 */
async function timedDownload(host: string, port: number, serverPid: number, kubectlPid?: number): Promise<[number, number, number, number]> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--download', host, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', d => { out += d; });
  // Counted from the child's line "ready": its start-up is not the transfer's.
  await new Promise<void>(r => child.stdout.on('data', () => { if (out.includes('ready\n')) r(); }));
  const c0 = [cpuSeconds(serverPid), kubectlPid ? cpuSeconds(kubectlPid) : 0];
  child.stdin.end('go\n');
  const code = await new Promise<number | null>(r => child.once('exit', c => r(c)));
  const c1 = [cpuSeconds(serverPid), kubectlPid ? cpuSeconds(kubectlPid) : 0];
  const m = /^(\{.*\})$/m.exec(out);
  if (code !== 0 || !m) throw new Error(`download from ${host}:${port} failed (${code}): ${out}`);
  const r = JSON.parse(m[1]!) as { secs: number; cpuMs: number };
  const ms = (i: number) => Math.round((c1[i]! - c0[i]!) * 1000);
  return [r.secs, ms(0), ms(1), Math.round(r.cpuMs)];
}

/** Seconds and server CPU ms of `kubectl exec web -- cat /www/big`, its output counted and dropped. */
async function timedExecCat(flags: string[], serverPid: number): Promise<[number, number]> {
  const c0 = cpuSeconds(serverPid);
  const t = performance.now();
  const p = spawn('kubectl', [...flags, 'exec', 'web', '--', 'cat', '/www/big'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let n = 0;
  p.stdout.on('data', (d: Buffer) => { n += d.length; });
  const code = await new Promise<number | null>(r => p.once('close', c => r(c)));
  const secs = (performance.now() - t) / 1000;
  if (code !== 0 || n !== SIZE) throw new Error(`kubectl exec cat: exit ${code}, ${n} bytes`);
  return [secs, Math.round((cpuSeconds(serverPid) - c0) * 1000)];
}

/** The client process: one download, then a line with its seconds and its own CPU ms. */
async function downloadMain(host: string, port: number): Promise<void> {
  process.stdout.write('ready\n');
  await new Promise(r => process.stdin.once('data', r)); // the parent has read the CPU counters
  process.stdin.pause();
  const u0 = process.cpuUsage();
  const secs = await downloadOnce(host, port);
  const u = process.cpuUsage(u0);
  process.stdout.write(`${JSON.stringify({ secs, cpuMs: (u.user + u.system) / 1000 })}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ROUNDS = Number(process.env.KUBELING_BENCH_ROUNDS ?? 5);

const mbps = (secs: number) => Math.round(SIZE / MB / secs);
const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
const step = (what: string) => process.stderr.write(`streaming bench: ${what}\n`);

export async function benchStreaming(): Promise<object[]> {
  if (process.getuid?.() !== 0) return [{ case: 'streaming', skipped: 'needs root (real pods)' }];
  const rows: object[] = [];
  const c = new NodeCluster();
  try {
    await c.start();
    const flags = ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dataDir, 'kube-cache')];
    await c.k(['apply', '-f', '-'], podYaml(c.nodeName));
    const podIP = await eventually(async () => {
      const p = JSON.parse(await c.k(['get', 'pod', 'web', '-o', 'json'])) as { status?: { phase?: string; podIP?: string } };
      return p.status?.phase === 'Running' && p.status.podIP;
    }, 60_000, 'web running');
    await eventually(async () => downloadOnce(podIP, 80).then(() => true, () => false), 60_000, 'httpd serving');

    const n = Number(process.env.KUBELING_BENCH_EXEC_N ?? 30);
    if (n > 0) {
      step('exec latency');
      const version: number[] = [];
      const exec: number[] = [];
      await run([...flags, 'exec', 'web', '--', 'true']); // warm the discovery cache
      // Interleaved, so both see the same load.
      for (let i = 0; i < n; i++) {
        version.push(await run([...flags, 'version', '--client']));
        exec.push(await run([...flags, 'exec', 'web', '--', 'true']));
      }
      rows.push({ case: 'kubectl version --client (floor)', n, p50_ms: p50(version) });
      rows.push({ case: 'kubectl exec web -- true (kubeling server)', n, p50_ms: p50(exec), over_floor_ms: Math.round((p50(exec) - p50(version)) * 10) / 10 });
    }

    step('port-forward downloads');
    const pf = spawn('kubectl', [...flags, 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const forward = new PortForward(kc);
    const nodeLocal = createServer(sock => { void forward.portForward('default', 'web', [80], sock, null, sock); });
    try {
      const pfPort = await new Promise<number>((resolve, reject) => {
        let o = '';
        pf.stdout.on('data', d => { o += d; const m = /127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
        pf.on('exit', code => reject(new Error(`kubectl port-forward exited ${code}`)));
      });
      await new Promise<void>(r => nodeLocal.listen(0, '127.0.0.1', r));
      const nodePort = (nodeLocal.address() as AddressInfo).port;
      const pid = c.proc!.pid!;
      const paths = { direct: [podIP, 80], kubectl: ['127.0.0.1', pfPort], node: ['127.0.0.1', nodePort] } as const;
      const secs: Record<keyof typeof paths, number[]> = { direct: [], kubectl: [], node: [] };
      const cpu: Record<keyof typeof paths, number[]> = { direct: [], kubectl: [], node: [] };
      const kubectlCpu: number[] = [];
      const clientCpu: Record<keyof typeof paths, number[]> = { direct: [], kubectl: [], node: [] };
      for (let i = 0; i < ROUNDS; i++) {
        for (const k of Object.keys(paths) as (keyof typeof paths)[]) {
          const [t, ms, kms, cms] = await timedDownload(paths[k][0], paths[k][1], pid, k === 'kubectl' ? pf.pid : undefined);
          secs[k].push(t);
          cpu[k].push(ms);
          clientCpu[k].push(cms);
          if (k === 'kubectl') kubectlCpu.push(kms);
        }
        step(`round ${i + 1}/${ROUNDS}: direct ${mbps(secs.direct[i]!)}, kubectl ${mbps(secs.kubectl[i]!)}, client-node ${mbps(secs.node[i]!)} MB/s (load ${loadAvg()})`);
      }
      const best = (k: keyof typeof paths) => Math.min(...secs[k]);
      const paired = (k: keyof typeof paths) => Math.round(median(secs[k].map((t, i) => secs.direct[i]! / t)) * 100) / 100;
      const ratio = (k: keyof typeof paths) => Math.round(best('direct') / best(k) * 100) / 100;
      rows.push({ case: `direct TCP to the pod IP, 100 MB (best of ${ROUNDS})`, MB_per_s: mbps(best('direct')), ratio: 1, client_cpu_ms: median(clientCpu.direct) });
      rows.push({ case: 'kubectl port-forward (SPDY in WebSocket), 100 MB', MB_per_s: mbps(best('kubectl')), ratio: ratio('kubectl'), paired_ratio: paired('kubectl'), target: '≥ 0.5', server_cpu_ms: median(cpu.kubectl), kubectl_cpu_ms: median(kubectlCpu), client_cpu_ms: median(clientCpu.kubectl) });
      rows.push({ case: 'client-node PortForward (channel protocol), 100 MB', MB_per_s: mbps(best('node')), ratio: ratio('node'), paired_ratio: paired('node'), server_cpu_ms: median(cpu.node), client_cpu_ms: median(clientCpu.node) });
      // The same 100 MB as a command's stdout (what `kubectl cp` from a pod rides on): exec
      // streams cross the agent's unix socket when the agent runs in a thread of its own.
      step('exec downloads');
      const execSecs: number[] = [];
      const execCpu: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const [t, ms] = await timedExecCat(flags, pid);
        execSecs.push(t);
        execCpu.push(ms);
      }
      rows.push({ case: 'kubectl exec web -- cat (100 MB to stdout)', MB_per_s: mbps(Math.min(...execSecs)), server_cpu_ms: median(execCpu) });
      rows.push({ case: 'load average (1 min) at the end', load: loadAvg() });
    } finally {
      pf.kill();
      nodeLocal.close();
    }
  } finally {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--download') await downloadMain(process.argv[3]!, Number(process.argv[4]));
  else console.table(await benchStreaming());
}
