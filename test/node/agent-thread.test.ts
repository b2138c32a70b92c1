/**
 * `kubeling server` runs its node agent in a worker thread of its own by default, and with
 * `--agent-in-main-thread` on the API server's thread: the agent's requests reach the API
 * server across threads (LinkSocket) or in memory (MemorySocket), as system:node:<name>;
 * its token is registered where the API server's log proxy finds it; stopping the server
 * leaves the pods running and the next server's agent adopts them, in either place. A
 * port-forward to the agent thread's pod is served on the main thread, dialled into the pod
 * from there (api-proxy/portforward-here.ts), and its relay ends with the agent. The server
 * runs in this process (startServer), so the test sees which connection every request came
 * over, what the main thread registered, and which relays it started.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Authenticator, type UserInfo } from '../../src/apiserver/index.js';
import { startServer, type AgentThread, type RunningServer } from '../../src/cli/server.js';
import { nodeToken } from '../../src/node/index.js';
import { POD_UID } from '../../src/node/labels.js';
import { ensureSharedImages, eventually, NodeCluster, rootSkip } from './cluster.js';
import { httpGet, withPortForward } from './kubectl-forward.js';

/** The kubelet's requests to this process's API server: user and connection class. */
const served: Array<{ user?: string; socket: string }> = [];
const original = Object.getOwnPropertyDescriptor(Authenticator.prototype, 'authenticate')!;

const podYaml = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: stay}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "echo hello-from-the-pod; exec sleep 100000"]}
`;

const webYaml = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "mkdir /lo && echo hello-local > /lo/index.html && exec httpd -f -p 127.0.0.1:8080 -h /lo"]}
`;

/** This process's children running the port-forward relay (netns-relay.js), with their command lines. */
function relays(): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc').filter(x => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      if (args.includes('netns-relay.js')) out.push(args);
    } catch { /* gone meanwhile */ }
  }
  return out;
}

describe('the node agent thread of kubeling server', { skip: rootSkip }, () => {
  const c = new NodeCluster();
  let srv: RunningServer | undefined;
  const start = async (agentThread?: AgentThread) => {
    srv = await startServer({
      dataDir: c.dataDir, writeKubeconfig: c.kubeconfig, port: 0, bindAddress: '127.0.0.1', disableAgent: false, tlsSan: [],
      nodeName: c.nodeName, clusterCidr: c.cidrs.cluster, serviceCidr: c.serviceCidr, disableControllers: true, disableScheduler: true,
      agent: { ...c.agentFlags(), leaseIntervalMs: 1000, statusIntervalMs: 1000 },
      services: { proxy: false, dns: false, chainPrefix: c.chainPrefix }, agentThread,
    });
  };
  const stop = async () => { await srv?.stop(); srv = undefined; };
  const pod = async (name = 'stay') => JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
  const kubeletSockets = (from: number) => [...new Set(served.slice(from).filter(s => s.user === `system:node:${c.nodeName}`).map(s => s.socket))];

  before(async () => {
    await ensureSharedImages();
    const authenticate = original.value as (req: IncomingMessage) => UserInfo | undefined;
    Authenticator.prototype.authenticate = function (this: Authenticator, req: IncomingMessage) {
      const user = authenticate.call(this, req);
      if (String(req.headers['user-agent'] ?? '').startsWith('kubelet/')) served.push({ user: user?.username, socket: req.socket.constructor.name });
      return user;
    };
  });
  after(async () => {
    Object.defineProperty(Authenticator.prototype, 'authenticate', original);
    if (srv) await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await stop();
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('runs off the main thread by default: requests across threads as system:node:<name>, logs proxied to it', async () => {
    const from = served.length;
    await start();
    await c.k(['apply', '-f', '-'], podYaml(c.nodeName));
    await eventually(async () => (await pod()).status?.phase === 'Running', 30_000, 'pod running');
    assert.deepEqual(kubeletSockets(from), ['LinkSocket'], 'every kubelet request came from another thread');
    assert.ok(nodeToken(c.nodeName), "the agent's token is registered on the API server's thread");
    assert.equal((await c.k(['logs', 'stay'])).trim(), 'hello-from-the-pod');
  });

  it("port-forward to the agent thread's pod is served on the main thread; its relay ends with the agent", async () => {
    await c.k(['apply', '-f', '-'], webYaml(c.nodeName));
    await eventually(async () => (await pod('web')).status?.phase === 'Running', 30_000, 'web running');
    // httpd may still be starting: the pod's localhost-only listener, reached through the forward.
    const got = await withPortForward(c, 'pod/web', 8080, local => eventually(() => httpGet(local).catch(() => ''), 20_000, 'an answer through the forward'));
    assert.equal(got.trim(), 'hello-local');
    // The relay into the pod's namespace was started by this (the API server's) thread's dialer, not the agent's.
    const mine = relays();
    assert.ok(mine.length === 1 && mine[0]!.includes(join(c.dataDir, 'agent', 'portforward-api')), `one relay, the main thread's: ${JSON.stringify(mine)}`);
    await stop();
    assert.deepEqual(relays(), [], 'the relay ended with the agent');
    await start();
  });

  it('stop leaves the pod running; the agent of the next server (main thread) adopts it; and back', async () => {
    const before = await pod();
    const uid = before.metadata!.uid!;
    const ids = (p: Pod) => p.status!.containerStatuses!.map(s => [s.containerID, s.restartCount, s.state?.running?.startedAt]);
    for (const where of ['main', 'own'] as const) {
      await stop();
      assert.equal(nodeToken(c.nodeName), undefined, 'the stopped agent\'s token is revoked');
      const rt = await c.runtime();
      assert.deepEqual((await rt.listContainers({ labels: { [POD_UID]: uid } })).map(x => x.state), ['running'], 'the container outlived the server');
      const from = served.length;
      await start(where);
      // A pod created now runs once the new agent's pod manager has synced every pod of the node (the old one included).
      await c.k(['apply', '-f', '-'], podYaml(c.nodeName).replace('name: stay', `name: after-${where}`));
      await eventually(async () => (await pod(`after-${where}`)).status?.phase === 'Running', 30_000, 'a new pod running');
      assert.deepEqual(kubeletSockets(from), [where === 'main' ? 'MemorySocket' : 'LinkSocket']);
      assert.deepEqual(ids(await pod()), ids(before));
      assert.equal((await rt.listContainers({ labels: { [POD_UID]: uid } })).length, 1, 'no duplicate container');
      assert.equal((await c.k(['logs', 'stay'])).trim(), 'hello-from-the-pod');
    }
  });
});
