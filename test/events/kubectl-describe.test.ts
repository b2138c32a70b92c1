/**
 * `kubectl describe` shows the events every component records, with upstream's reasons,
 * messages and dedup counts, against a real server (scheduler, controllers, agent) and
 * real busybox pods: a crashing pod (BackOff), an unschedulable pod (FailedScheduling),
 * a node and a deployment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, NodeCluster, rootSkip } from '../node/cluster.js';

const MANIFESTS = `apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo dying; exit 1"]
---
apiVersion: v1
kind: Pod
metadata: {name: too-big}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "100000"]
    resources: {requests: {cpu: "1000"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: ["sleep", "100000"]
`;

/** The rows of the Events table of a describe output: [type, reason, age, from, message]. */
function events(describe: string): string[][] {
  const at = describe.indexOf('\nEvents:');
  assert.ok(at >= 0, `no Events section in:\n${describe}`);
  const lines = describe.slice(at).split('\n').slice(3).filter(l => /^\s{2}\S/.test(l));
  return lines.map(l => l.trim().split(/\s{2,}/));
}

describe('kubectl describe shows events', { skip: rootSkip }, () => {
  let c: NodeCluster;
  before(async () => {
    c = new NodeCluster();
    await c.start({ controllers: true, scheduler: true });
    await c.k(['apply', '-f', '-'], MANIFESTS);
  });
  after(async () => {
    await c.kubectl(['delete', 'deployment', 'web']);
    await c.kubectl(['delete', 'pod', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('a crashing pod: Scheduled, Pulled, Created, Started, then BackOff, repeats counted', async () => {
    const rows = await eventually(async () => {
      const r = events(await c.k(['describe', 'pod', 'crasher']));
      const created = r.find(x => x[1] === 'Created');
      return r.some(x => x[1] === 'BackOff') && created && /\(x\d+ over /.test(created[2]!) && r;
    }, 90_000, 'BackOff and a repeated Created');
    const by = (reason: string) => rows.find(x => x[1] === reason);
    assert.deepEqual(by('Scheduled')!.slice(0, 2), ['Normal', 'Scheduled']);
    assert.equal(by('Scheduled')![3], 'default-scheduler');
    assert.match(by('Scheduled')![4]!, new RegExp(`^Successfully assigned default/crasher to ${c.nodeName}$`));
    assert.equal(by('Created')![3], 'kubelet');
    assert.equal(by('Created')![4], 'Created container: c');
    assert.equal(by('Started')![4], 'Started container c');
    assert.match(by('Pulled')![4]!, /^Container image "busybox" already present on machine/);
    const backoff = by('BackOff')!;
    assert.equal(backoff[0], 'Warning');
    assert.match(backoff[4]!, /^Back-off restarting failed container c in pod crasher_default\([0-9a-f-]+\)$/);
    // Repeats are one Event with a count, not many Events.
    assert.equal(rows.filter(x => x[1] === 'Created').length, 1);
  });

  it('an unschedulable pod: FailedScheduling with upstream\'s message', async () => {
    const rows = await eventually(async () => {
      const r = events(await c.k(['describe', 'pod', 'too-big']));
      return r.some(x => x[1] === 'FailedScheduling') && r;
    }, 30_000, 'FailedScheduling');
    const f = rows.find(x => x[1] === 'FailedScheduling')!;
    assert.equal(f[0], 'Warning');
    assert.equal(f[3], 'default-scheduler');
    // Written the events.k8s.io way, as kube-scheduler does: eventTime, action, reporting component.
    const ev = JSON.parse(await c.k(['get', 'events', '--field-selector', 'involvedObject.name=too-big,reason=FailedScheduling', '-o', 'json'])).items[0];
    assert.equal(ev.action, 'Scheduling');
    assert.equal(ev.reportingComponent, 'default-scheduler');
    assert.match(ev.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // More CPU than the node has at all: unresolvable, so (as upstream since 1.30) preemption cannot help.
    assert.equal(f[4], '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  });

  it('a node: Starting, NodeHasSufficientMemory, NodeReady from the kubelet; RegisteredNode from the node controller', async () => {
    const rows = await eventually(async () => {
      const r = events(await c.k(['describe', 'node', c.nodeName]));
      return r.some(x => x[1] === 'RegisteredNode') && r;
    }, 30_000, 'RegisteredNode');
    assert.deepEqual(rows.find(r => r[1] === 'RegisteredNode')!.slice(3), ['node-controller', `Node ${c.nodeName} event: Registered Node ${c.nodeName} in Controller`]);
    const reasons = rows.map(r => r[1]);
    for (const want of ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']) {
      assert.ok(reasons.includes(want), `${want} in ${reasons}`);
    }
    assert.equal(rows.find(r => r[1] === 'NodeReady')![4], `Node ${c.nodeName} status is now: NodeReady`);
    assert.equal(rows.find(r => r[1] === 'Starting')![4], 'Starting kubelet.');
  });

  it('a deployment: ScalingReplicaSet', async () => {
    const rows = await eventually(async () => {
      const r = events(await c.k(['describe', 'deployment', 'web']));
      return r.some(x => x[1] === 'ScalingReplicaSet') && r;
    }, 30_000, 'ScalingReplicaSet');
    const s = rows.find(x => x[1] === 'ScalingReplicaSet')!;
    assert.equal(s[3], 'deployment-controller');
    assert.match(s[4]!, /^Scaled up replica set web-[a-z0-9]+ from 0 to 1$/);
    const rs = (await c.k(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim();
    const rsRows = events(await c.k(['describe', rs]));
    assert.match(rsRows.find(x => x[1] === 'SuccessfulCreate')![4]!, /^Created pod: web-[a-z0-9]+-[a-z0-9]+$/);
  });
});
