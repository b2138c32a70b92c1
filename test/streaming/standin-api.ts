/**
 * A stand-in API server for driving the real kubectl at the streaming servers before
 * the API server routes upgrades: discovery, one Running pod "web" and the exec /
 * portforward upgrades. The exec target is a host child process, not a container.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import {
  bridgeSession, parseExecRequest, proxyUpgrade, serveExec, servePortForward, type ExecRequest, type RemoteCommandStreams,
} from '../../src/node/streaming/index.js';
import { childSession } from './helpers.js';

const POD = {
  kind: 'Pod', apiVersion: 'v1',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '1' },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: {} } }] },
};

const RESOURCES = {
  kind: 'APIResourceList', groupVersion: 'v1', resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
};

export interface StandInApi {
  server: Server;
  /** The Upgrade header of every upgrade request, in order (to tell WebSocket from SPDY). */
  upgrades: string[];
  dir: string;
  kubeconfig: string;
  /** kubectl's arguments for this server (kubeconfig, cache dir). */
  flags: string[];
  kubectl(args: string[], input?: string, env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/**
 * `podPort`: where port-forwards to any pod port land (a listener on 127.0.0.1).
 * `viaAgent`: serve the upgrades on a second server (the agent) and relay them there
 * with proxyUpgrade, as the API server will.
 */
export interface StandInOptions {
  viaAgent?: boolean;
  /** Runs an exec (default: a host child process). */
  exec?: (r: ExecRequest, s: RemoteCommandStreams) => Promise<number>;
  /** Opens a pod port (default: 127.0.0.1:podPort whatever the port). */
  dial?: (port: number) => Promise<Duplex>;
}

export async function startStandInApi(podPort: number, o: StandInOptions = {}): Promise<StandInApi> {
  const api = createServer((req, res) => {
    const json = (o: unknown) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/version') return json({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
    if (path === '/api') return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (path === '/api/v1') return json(RESOURCES);
    if (path === '/api/v1/namespaces/default/pods/web') return json(POD);
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
  });
  const upgrades: string[] = [];
  const agent = o.viaAgent ? createServer((_q, r) => { r.writeHead(404); r.end(); }) : api;
  if (o.viaAgent) {
    await new Promise<void>(r => agent.listen(0, '127.0.0.1', r));
    const port = (agent.address() as AddressInfo).port;
    api.on('upgrade', (req, socket, head) => {
      void proxyUpgrade(req, socket, head, { host: '127.0.0.1', port, path: req.url!, headers: { authorization: 'Bearer agent-token' } });
    });
  }
  agent.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url!, 'http://x');
    if (o.viaAgent && req.headers.authorization !== 'Bearer agent-token') return socket.destroy();
    upgrades.push(String(req.headers.upgrade).toLowerCase());
    if (url.pathname.endsWith('/exec')) {
      const r = parseExecRequest(url.searchParams);
      void serveExec(req, socket, head, r, s => o.exec ? o.exec(r, s) : bridgeSession(s, childSession(r.command, r.tty, s.initialSize)));
    } else if (url.pathname.endsWith('/portforward')) {
      void servePortForward(req, socket, head, url, {
        podName: 'web', uid: 'u1',
        dial: o.dial ?? (() => new Promise((resolve, reject) => { const s = connect(podPort, '127.0.0.1'); s.once('connect', () => resolve(s)).once('error', reject); })),
      });
    } else {
      socket.destroy();
    }
  });
  await new Promise<void>(r => api.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'kubeling-kubectl-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(api.address() as AddressInfo).port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
current-context: x
`);
  const flags = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
  return {
    server: api, upgrades, dir, kubeconfig, flags,
    kubectl: (args, input, env) => new Promise(resolve => {
      const p = execFile('kubectl', [...flags, ...args], { timeout: 30_000, maxBuffer: 64 << 20, env: { ...process.env, ...env } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
      if (input !== undefined) p.stdin!.end(input);
    }),
    close: async () => {
      for (const s of new Set([api, agent])) {
        s.closeAllConnections();
        await new Promise(r => s.close(r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
