/**
 * `kubeling server`'s own components reach the API server in memory, each as its own user
 * (scheduler, controller manager, cluster DNS, ServiceLB, the shared informers), and with
 * `--in-process-https` over HTTPS on loopback as before. The scheduler, controller manager,
 * DNS and ServiceLB run in a worker thread and connect across threads (LinkSocket), or with
 * `--control-plane-in-main-thread` on the API server's thread (MemorySocket). Each server
 * runs in this process (startServer) so the test can see which user every request was
 * served as, and over what connection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Authenticator, type UserInfo } from '../../src/apiserver/index.js';
import { startServer, type RunningServer } from '../../src/cli/server.js';
import { Client, type KubeObject } from '../../src/client/index.js';

const POD = { apiVersion: 'v1', kind: 'Pod' };
const NODE = { apiVersion: 'v1', kind: 'Node' };
const SVC = { apiVersion: 'v1', kind: 'Service' };

async function eventually(what: string, f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await f()); i++) {
    if (i > 1000) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

/** Every authenticated request of this process: the User-Agent's program and the user. */
const served: Array<{ program: string; path: string; user?: string; tls: boolean; socket: string }> = [];
const original = Object.getOwnPropertyDescriptor(Authenticator.prototype, 'authenticate')!;

before(() => {
  const authenticate = original.value as (req: IncomingMessage) => UserInfo | undefined;
  Authenticator.prototype.authenticate = function (this: Authenticator, req: IncomingMessage) {
    const user = authenticate.call(this, req);
    served.push({
      program: String(req.headers['user-agent'] ?? '').split('/')[0]!, path: req.url ?? '', user: user?.username,
      tls: 'encrypted' in req.socket && (req.socket as { encrypted?: boolean }).encrypted === true,
      socket: req.socket.constructor.name,
    });
    return user;
  };
});
after(() => { Object.defineProperty(Authenticator.prototype, 'authenticate', original); });

/** Starts a server without the node agent, creates a pod and waits for the scheduler's answer. */
async function withServer(inProcessHttps: boolean, check: (mine: typeof served) => void, controlPlaneInMainThread = false): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeling-in-process-e2e-'));
  let srv: RunningServer | undefined;
  let admin: Client | undefined;
  const from = served.length;
  try {
    srv = await startServer({
      dataDir, port: 0, bindAddress: '127.0.0.1', disableAgent: true, tlsSan: [], nodeName: 'in-process-test-node',
      services: { dnsPort: 0, dnsUpstreams: [] }, inProcessHttps, controlPlaneInMainThread,
    });
    admin = Client.fromKubeconfig(srv.kubeconfig, { component: 'in-process-test' });
    await admin.create(POD, { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KubeObject);
    // No nodes: the scheduler patches PodScheduled=False and records FailedScheduling.
    type Cond = { type: string; status: string };
    await eventually('the scheduler answering the pod', async () => {
      const pod = await admin!.get<KubeObject & { status?: { conditions?: Cond[] } }>(POD, 'p', { namespace: 'default' });
      return pod.status?.conditions?.some((c: Cond) => c.type === 'PodScheduled' && c.status === 'False') ?? false;
    });
    // A node with an address and a LoadBalancer Service: ServiceLB writes the ingress.
    await admin.create(NODE, { metadata: { name: 'lb-node' } });
    await admin.patch(NODE, 'lb-node', { status: { addresses: [{ type: 'InternalIP', address: '192.0.2.77' }] } }, { subresource: 'status' });
    await admin.create(SVC, { metadata: { name: 'lb', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as KubeObject);
    await eventually('ServiceLB writing the ingress', async () => {
      const svc = await admin!.get<KubeObject & { status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } } }>(SVC, 'lb', { namespace: 'default' });
      return svc.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.77';
    });
  } finally {
    admin?.close();
    await srv?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  check(served.slice(from).filter(s => s.program !== 'in-process-test' && s.path !== '/readyz'));
}

/** program → the set of users its requests were served as (or of another field of them). */
function usersByProgram(reqs: typeof served, field: 'user' | 'socket' = 'user'): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const r of reqs) (out[r.program] ??= new Set()).add(r[field] ?? '(none)');
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe('in-process components', () => {
  it('talk to the API server in memory, each as its own user', async () => {
    await withServer(false, reqs => {
      const users = usersByProgram(reqs);
      assert.deepEqual(users['kube-scheduler'], ['system:kube-scheduler']);
      assert.deepEqual(users['kube-controller-manager'], ['system:kube-controller-manager']);
      assert.deepEqual(users['cluster-dns'], ['system:serviceaccount:kube-system:coredns']);
      assert.deepEqual(users['service-lb-controller'], ['system:kubeling-controller']);
      assert.deepEqual(users.kubeling, ['system:apiserver'], 'the shared informers');
      assert.ok(reqs.every(r => !r.tls), 'no component request went over TLS');
      // The scheduler's answer to the pod came in process as the scheduler.
      assert.ok(reqs.some(r => r.program === 'kube-scheduler' && r.path.includes('/pods/p/status')));
      assert.ok(reqs.some(r => r.program === 'kube-scheduler' && r.path.includes('/events')));
      // The scheduler, controller manager, DNS, ServiceLB and their informers connect from their
      // worker thread; without the agent (and so the proxy) nothing else watches.
      const sockets = usersByProgram(reqs, 'socket');
      for (const program of ['kube-scheduler', 'kube-controller-manager', 'cluster-dns', 'service-lb-controller', 'kubeling']) {
        assert.deepEqual(sockets[program], ['LinkSocket'], program);
      }
    });
  });

  it('with --control-plane-in-main-thread, the scheduler and controller manager connect in memory too', async () => {
    await withServer(false, reqs => {
      const users = usersByProgram(reqs);
      assert.deepEqual(users['kube-scheduler'], ['system:kube-scheduler']);
      assert.deepEqual(users['kube-controller-manager'], ['system:kube-controller-manager']);
      assert.deepEqual(users.kubeling, ['system:apiserver']);
      const sockets = usersByProgram(reqs, 'socket');
      for (const program of ['kube-scheduler', 'kube-controller-manager', 'cluster-dns', 'kubeling']) assert.deepEqual(sockets[program], ['MemorySocket'], program);
      assert.ok(reqs.some(r => r.program === 'kube-scheduler' && r.path.includes('/pods/p/status')));
    }, true);
  });

  it('with --in-process-https, talk over HTTPS with the admin certificate', async () => {
    await withServer(true, reqs => {
      const users = usersByProgram(reqs);
      for (const program of ['kube-scheduler', 'kube-controller-manager', 'cluster-dns', 'service-lb-controller', 'kubeling']) {
        assert.deepEqual(users[program], ['kubeling-admin'], program);
      }
      assert.ok(reqs.every(r => r.tls), 'every component request went over TLS');
      assert.ok(reqs.some(r => r.program === 'kube-scheduler' && r.path.includes('/pods/p/status')));
    });
  });
});
