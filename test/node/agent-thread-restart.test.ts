/**
 * `kubeling server` (a real server process) whose node-agent thread dies — an error nothing
 * catches inside it, or the thread terminated — starts the thread again, and the new agent
 * adopts the pods that kept running: the same containers (no second runc container, the
 * same container IDs, restart counts and start times, Ready never flapped), their statuses
 * go on (a container killed afterwards is restarted and counted), new pods start, and
 * kubectl logs, exec and port-forward work again. The dead thread's spawner helper (spawner.ts)
 * does not stay behind: no zombie among the server's children. The thread is made to die
 * by the test-only trigger of src/cli/thread-fault.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { POD_UID } from '../../src/node/labels.js';
import { eventually, NodeCluster, rootSkip } from './cluster.js';
import { httpGet, withPortForward } from './kubectl-forward.js';

const FAST = { leaseIntervalMs: 1000, statusIntervalMs: 1000 };
const podYaml = (node: string, name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "echo hello-from-${name}; exec sleep 100000"]}
  - {name: web, image: busybox, command: ["sh", "-c", "mkdir /www && echo hello-web-${name} > /www/index.html && exec httpd -f -p 8080 -h /www"], readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}}
`;

interface Proc { pid: number; state: string; comm: string; args: string }

/** The processes whose parent is `ppid`, from /proc. */
function childrenOf(ppid: number): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(parent) !== ppid) continue;
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(d), state: state!, comm, args });
    } catch { /* gone meanwhile */ }
  }
  return out;
}

describe('kubeling server restarts a dead node-agent thread, whose successor adopts the running pods', { skip: rootSkip }, () => {
  const c = new NodeCluster();
  const faultFile = join(c.dataDir, 'thread-fault');
  const pod = async (name: string) => JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
  const ready = async (name: string) => (await pod(name)).status?.conditions?.find(x => x.type === 'Ready')?.status === 'True';
  const ids = (p: Pod) => p.status!.containerStatuses!.map(s => [s.name, s.containerID, s.restartCount, s.state?.running?.startedAt]);
  const readySince = (p: Pod) => p.status!.conditions!.find(x => x.type === 'Ready')!.lastTransitionTime;
  const serverPid = () => c.proc!.pid!;
  const spawners = () => childrenOf(serverPid()).filter(p => p.args.endsWith(' spawner'));
  /** The runtime's containers as they are now (a runtime opened earlier lists what it saw then). */
  const containers = async (labels?: Record<string, string>) => (await c.runtime()).listContainers(labels ? { labels } : undefined);
  let keeper: Pod;

  before(async () => {
    // The agent in its own thread whatever KUBELING_TEST_AGENT_THREAD says: that thread is what dies here.
    await c.start({ agentFlags: FAST, env: { KUBELING_TEST_THREAD_FAULT_FILE: faultFile }, server: { agentThread: 'own' } });
    await c.k(['apply', '-f', '-'], podYaml(c.nodeName, 'keeper'));
    await eventually(() => ready('keeper'), 30_000, 'keeper ready');
    keeper = await pod('keeper');
  });
  after(async () => {
    if (c.proc) await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  for (const fault of ['throw', 'terminate'] as const) {
    it(`after the thread dies (${fault}): same containers, statuses go on, new pods run, logs, exec and port-forward work, no zombie`, async () => {
      const containersBefore = (await containers()).map(x => x.id);
      const oldTid = c.threads.get('node-agent');
      assert.ok(oldTid, 'the server logged its node-agent thread');
      const [oldSpawner] = spawners();
      assert.ok(oldSpawner, `the agent's spawner helper is a child of the server: ${JSON.stringify(childrenOf(serverPid()))}`);

      writeFileSync(faultFile, `node-agent ${fault}\n`);
      process.kill(serverPid(), 'SIGUSR2');
      const newTid = await eventually(async () => { const t = c.threads.get('node-agent'); return t !== oldTid && t; }, 30_000, 'the thread started again');
      const tasks = readdirSync(`/proc/${serverPid()}/task`).map(Number);
      assert.ok(!tasks.includes(oldTid) && tasks.includes(newTid), 'the old thread is gone, the new one runs');
      const restartedAt = Date.now();

      // A pod created now runs once the new agent's pod manager has synced every pod of the node (keeper included).
      const fresh = `after-${fault}`;
      await c.k(['apply', '-f', '-'], podYaml(c.nodeName, fresh));
      await eventually(() => ready(fresh), 30_000, `${fresh} ready`);

      const now = await pod('keeper');
      assert.deepEqual(ids(now), ids(keeper), 'the same containers, not restarted');
      assert.equal(readySince(now), readySince(keeper), 'Ready never flapped');
      assert.equal(now.status!.podIP, keeper.status!.podIP);
      const mine = await containers({ [POD_UID]: keeper.metadata!.uid! });
      assert.deepEqual(mine.map(x => x.state), ['running', 'running'], 'no duplicate container');
      const freshUid = (await pod(fresh)).metadata!.uid!;
      const added = (await containers()).filter(x => !containersBefore.includes(x.id));
      assert.deepEqual(added.map(x => x.labels[POD_UID]), [freshUid, freshUid], 'only the new pod added containers');

      // The node's heartbeat comes from the new agent.
      await eventually(async () => {
        const lease = JSON.parse(await c.k(['get', 'lease', '-n', 'kube-node-lease', c.nodeName, '-o', 'json'])) as Lease;
        return Date.parse(lease.spec!.renewTime!) > restartedAt;
      }, 20_000, 'lease renewed after the restart');
      assert.equal((await c.k(['logs', 'keeper', '-c', 'c'])).trim(), 'hello-from-keeper');
      assert.equal((await c.k(['exec', 'keeper', '-c', 'c', '--', 'echo', `exec-after-${fault}`])).trim(), `exec-after-${fault}`);
      assert.equal((await withPortForward(c, 'pod/keeper', 8080, httpGet)).trim(), 'hello-web-keeper');

      // No zombie: the dead thread's spawner helper was reaped; the new thread has one of its own.
      await eventually(async () => !childrenOf(serverPid()).some(p => p.pid === oldSpawner.pid), 20_000, `the old spawner ${oldSpawner.pid} reaped`);
      const kids = childrenOf(serverPid());
      assert.deepEqual(kids.filter(p => p.state === 'Z'), [], 'no zombie children of the server');
      assert.equal(spawners().length, 1, `one spawner helper: ${JSON.stringify(kids)}`);

      await c.k(['delete', 'pod', fresh, '--grace-period=0', '--force']);
    });
  }

  it('an adopted container that dies is restarted and counted by the new agent', async () => {
    const rt = await c.runtime();
    const [sleeper] = await containers({ [POD_UID]: keeper.metadata!.uid! }).then(l => l.filter(x => x.name === 'c'));
    assert.ok(sleeper?.pid, 'the container runs');
    process.kill(sleeper.pid, 'SIGKILL');
    const restarted = await eventually(async () => {
      const s = (await pod('keeper')).status!.containerStatuses!.find(x => x.name === 'c')!;
      return s.restartCount === 1 && s.state?.running && s;
    }, 30_000, 'container c restarted');
    assert.equal(restarted.lastState?.terminated?.exitCode, 137);
    assert.notEqual(restarted.containerID, keeper.status!.containerStatuses!.find(x => x.name === 'c')!.containerID);
    assert.equal((await containers({ [POD_UID]: keeper.metadata!.uid! })).filter(x => x.state === 'running').length, 2);
  });
});
