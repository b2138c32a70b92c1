/**
 * The agent as a node: the Node object (capacity, allocatable, addresses, nodeInfo,
 * conditions, podCIDR, daemonEndpoints), the Lease heartbeat, the unreachable route, and
 * restarts (graceful and kill -9) that adopt running pods without duplicates and clean up
 * pods deleted while the agent was away.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { POD_UID } from '../../src/node/labels.js';
import { eventually, NodeCluster, rootSkip } from './cluster.js';

const FAST = { leaseIntervalMs: 1000, statusIntervalMs: 1000 };
const pods = (node: string) => ['keeper', 'doomed'].map(n => `apiVersion: v1
kind: Pod
metadata: {name: ${n}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "echo started; exec sleep 100000"]}
  - {name: web, image: busybox, command: ["httpd", "-f", "-p", "8080", "-h", "/"], readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}}
`).join('---\n');

describe('the node agent as a node', { skip: rootSkip }, () => {
  let c: NodeCluster;
  const pod = async (name: string) => JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
  const routes = () => execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  const ready = async (name: string) => (await pod(name)).status?.conditions?.find(x => x.type === 'Ready')?.status === 'True';

  before(async () => {
    c = new NodeCluster();
    await c.start({ agentFlags: FAST });
  });
  after(async () => {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('registers a Node with the machine\'s capacity, addresses, info and conditions', async () => {
    const n = JSON.parse(await c.k(['get', 'node', c.nodeName, '-o', 'json'])) as Node;
    const s = n.status!;
    assert.equal(s.capacity!.cpu, String(cpus().length));
    assert.equal(s.capacity!.memory, `${Math.floor(totalmem() / 1024)}Ki`);
    assert.equal(s.capacity!.pods, '110');
    assert.match(s.capacity!['ephemeral-storage']!, /^\d+Ki$/);
    assert.ok(Number(s.allocatable!.memory!.slice(0, -2)) < Number(s.capacity!.memory!.slice(0, -2)));
    assert.deepEqual(s.addresses!.map(a => a.type), ['InternalIP', 'Hostname']);
    assert.match(s.nodeInfo!.containerRuntimeVersion, /^runc:\/\/\d/);
    assert.match(s.nodeInfo!.kubeletVersion, /^v1\.32\./);
    assert.equal(s.nodeInfo!.operatingSystem, 'linux');
    const conds = Object.fromEntries(s.conditions!.map(x => [x.type, x.status]));
    assert.deepEqual(conds, { MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', Ready: 'True' });
    assert.equal(n.spec!.podCIDR, c.cidrs.pod);
    assert.ok(s.daemonEndpoints!.kubeletEndpoint!.Port > 0);
    assert.equal(n.metadata!.labels!['kubernetes.io/hostname'], c.nodeName);
  });

  it('renews its Lease in kube-node-lease', async () => {
    const get = async () => JSON.parse(await c.k(['get', 'lease', '-n', 'kube-node-lease', c.nodeName, '-o', 'json']));
    const first = await eventually(get, 10_000, 'lease');
    assert.equal(first.spec.holderIdentity, c.nodeName);
    assert.equal(first.metadata.ownerReferences[0].kind, 'Node');
    await eventually(async () => (await get()).spec.renewTime !== first.spec.renewTime, 10_000, 'renewal');
  });

  it('routes the cluster CIDR to nowhere while it runs', () => {
    assert.match(routes(), new RegExp(`unreachable ${c.cidrs.cluster.replace(/\./g, '\\.')}`));
  });

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`after a restart (${how}) adopts running pods: same containers, no duplicates, statuses continue`, async () => {
      await c.k(['apply', '-f', '-'], pods(c.nodeName));
      await eventually(async () => (await ready('keeper')) && (await ready('doomed')), 30_000, 'pods ready');
      const before = await pod('keeper');
      const doomed = await pod('doomed');
      await c.stop(how);
      if (how === 'SIGTERM') assert.doesNotMatch(routes(), new RegExp(`unreachable ${c.cidrs.cluster.replace(/\./g, '\\.')}`));
      // The pod is deleted while no agent runs: an API server alone, then a forced delete.
      await c.start({ agent: false, agentFlags: FAST });
      await c.k(['delete', 'pod', 'doomed', '--grace-period=0', '--force']);
      await c.stop();
      await c.start({ agentFlags: FAST });
      await eventually(async () => (await c.runtime().then(rt => rt.listSandboxes({ labels: { [POD_UID]: doomed.metadata!.uid! } }))).length === 0, 20_000, 'orphan sandbox removed');
      const rt = await c.runtime();
      const mine = await rt.listContainers({ labels: { [POD_UID]: before.metadata!.uid! } });
      assert.equal(mine.length, 2, 'no duplicates');
      assert.ok(mine.every(x => x.state === 'running'));
      await eventually(async () => ready('keeper'), 20_000, 'ready again');
      const now = await pod('keeper');
      assert.deepEqual(now.status!.containerStatuses!.map(s => [s.containerID, s.restartCount, s.state?.running?.startedAt]),
        before.status!.containerStatuses!.map(s => [s.containerID, s.restartCount, s.state?.running?.startedAt]));
      assert.equal(now.status!.podIP, before.status!.podIP);
      const readySince = (p: Pod) => p.status!.conditions!.find(x => x.type === 'Ready')!.lastTransitionTime;
      assert.equal(readySince(now), readySince(before), 'Ready never flapped');
      assert.equal((await c.k(['logs', 'keeper', '-c', 'c'])).trim(), 'started');
      await c.k(['delete', 'pod', 'keeper']);
    });
  }
});
