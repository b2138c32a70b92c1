/** `kubectl port-forward` against a NodeCluster, and a plain HTTP GET through the forward (node tests). */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import type { NodeCluster } from './cluster.js';

/** Runs `fn(localPort)` while `kubectl port-forward <target> :<port>` runs, then stops it. */
export async function withPortForward<T>(c: NodeCluster, target: string, port: number, fn: (local: number) => Promise<T>): Promise<T> {
  const pf = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dataDir, 'kube-cache'), 'port-forward', target, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const local = await new Promise<number>((resolve, reject) => {
      let o = '';
      let e = '';
      pf.stdout.on('data', d => { o += d; const m = /127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
      pf.stderr.on('data', d => { e += d; });
      pf.on('exit', code => reject(new Error(`kubectl port-forward exited ${code}: ${e}`)));
    });
    return await fn(local);
  } finally {
    pf.kill();
  }
}

export function httpGet(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, res => {
      let b = '';
      res.setEncoding('utf8').on('data', d => { b += d; }).on('end', () => resolve(b));
    }).on('error', reject);
  });
}
