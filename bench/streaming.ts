/**
 * Streaming benchmark with the real kubectl against the streaming servers (through the
 * stand-in API server of the tests; the exec target is a host process):
 * - exec round trip, `kubectl exec web -- true` p50 over 30, next to `kubectl version
 *   --client` (what starting kubectl alone costs);
 * - port-forward throughput of 100 MB pod → client through `kubectl port-forward`
 *   (SPDY in WebSocket) and through client-node's channel protocol, against a direct
 *   connection to the same listener (target ratio ≥ 0.5). Best of 3 each: the machine
 *   is shared, and the best run is the one least disturbed.
 * Run alone: node dist/bench/streaming.js
 */
import { execFile, spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { startStandInApi } from '../test/streaming/standin-api.js';

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

/** A "pod port" that sends SIZE bytes to whoever connects, then closes. */
async function source(): Promise<{ server: Server; port: number }> {
  const chunk = Buffer.alloc(MB, 7);
  const server = createServer(s => {
    s.on('error', () => {});
    let left = SIZE / MB;
    const pump = () => {
      while (left > 0) { left--; if (!s.write(chunk)) return void s.once('drain', pump); }
      s.end();
    };
    pump();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Seconds to receive SIZE bytes from 127.0.0.1:port, best of 3. */
async function download(port: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) best = Math.min(best, await downloadOnce(port));
  return best;
}

function downloadOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let got = 0;
    const s: Socket = connect(port, '127.0.0.1');
    s.on('data', d => { got += d.length; if (got >= SIZE) { resolve((performance.now() - t) / 1000); s.destroy(); } });
    s.on('error', reject);
    s.on('close', () => { if (got < SIZE) reject(new Error(`only ${got} bytes`)); });
  });
}

const mbps = (secs: number) => Math.round(SIZE / MB / secs);

export async function benchStreaming(): Promise<object[]> {
  const rows: object[] = [];
  const src = await source();
  const api = await startStandInApi(src.port);
  try {
    const version: number[] = [];
    const exec: number[] = [];
    await run([...api.flags, 'exec', 'web', '--', 'true']); // warm the discovery cache
    for (let i = 0; i < 30; i++) version.push(await run([...api.flags, 'version', '--client']));
    for (let i = 0; i < 30; i++) exec.push(await run([...api.flags, 'exec', 'web', '--', 'true']));
    rows.push({ case: 'kubectl version --client (floor)', n: 30, p50_ms: p50(version) });
    rows.push({ case: 'kubectl exec web -- true', n: 30, p50_ms: p50(exec), over_floor_ms: Math.round((p50(exec) - p50(version)) * 10) / 10 });

    const direct = await download(src.port);
    rows.push({ case: 'direct TCP, 100 MB', MB_per_s: mbps(direct), ratio: 1 });

    const pf = spawn('kubectl', [...api.flags, 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const local = await new Promise<number>((resolve, reject) => {
        let o = '';
        pf.stdout.on('data', d => { o += d; const m = /127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
        pf.on('exit', c => reject(new Error(`kubectl port-forward exited ${c}`)));
      });
      const t = await download(local);
      rows.push({ case: 'kubectl port-forward (SPDY in WebSocket), 100 MB', MB_per_s: mbps(t), ratio: Math.round(direct / t * 100) / 100 });
    } finally {
      pf.kill();
    }

    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
    });
    const forward = new PortForward(kc);
    const local = createServer(sock => { void forward.portForward('default', 'web', [80], sock, null, sock); });
    await new Promise<void>(r => local.listen(0, '127.0.0.1', r));
    try {
      const t = await download((local.address() as AddressInfo).port);
      rows.push({ case: 'client-node PortForward (channel protocol), 100 MB', MB_per_s: mbps(t), ratio: Math.round(direct / t * 100) / 100 });
    } finally {
      local.close();
    }
  } finally {
    await api.close();
    src.server.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchStreaming());
