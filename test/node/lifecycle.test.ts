/**
 * Pod lifecycle on a real node: OOMKilled, probes (liveness restarts, readiness drives
 * Ready, startup gates both), postStart/preStop hooks, graceful and forced deletion,
 * native sidecars, and init container failures (Init:Error, Init:CrashLoopBackOff).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { POD_UID } from '../../src/node/labels.js';
import { eventually, NodeCluster, rootSkip } from './cluster.js';

const manifests = (node: string, host: string) => `apiVersion: v1
kind: Pod
metadata: {name: oom}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - {name: c, image: busybox, command: ["sh", "-c", "head -c 300m /dev/zero | tail"], resources: {limits: {memory: 32Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: messages}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - {name: file, image: busybox, command: ["sh", "-c", "echo 'custom message' > /dev/termination-log; exit 4"]}
  - {name: logs, image: busybox, terminationMessagePolicy: FallbackToLogsOnError, command: ["sh", "-c", "echo last words; exit 5"]}
---
apiVersion: v1
kind: Pod
metadata: {name: probes}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: live
    image: busybox
    command: ["sh", "-c", "touch /tmp/alive; sleep 3; rm /tmp/alive; exec sleep 100000"]
    livenessProbe: {exec: {command: ["test", "-f", "/tmp/alive"]}, periodSeconds: 1, failureThreshold: 2}
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www; sleep 1; httpd -p 8080 -h /www; sleep 2; touch /www/ready; sleep 4; rm /www/ready; exec sleep 100000"]
    ports: [{name: http, containerPort: 8080}]
    startupProbe: {tcpSocket: {port: 8080}, periodSeconds: 1, failureThreshold: 30}
    readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: hooks}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 10
  volumes: [{name: host, hostPath: {path: ${host}, type: Directory}}]
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap 'echo TERM >> /host/events; exit 0' TERM; until [ -f /tmp/hook ]; do sleep 0.1; done; cat /tmp/hook; while true; do sleep 0.2; done"]
    volumeMounts: [{name: host, mountPath: /host}]
    lifecycle:
      postStart: {exec: {command: ["sh", "-c", "echo hooked > /tmp/hook"]}}
      preStop: {exec: {command: ["sh", "-c", "echo preStop >> /host/events"]}}
---
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 2
  containers: [{name: c, image: busybox, command: ["sleep", "100000"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: forced}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 60
  containers: [{name: c, image: busybox, command: ["sleep", "100000"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: sidecar}
spec:
  nodeName: ${node}
  restartPolicy: Never
  terminationGracePeriodSeconds: 2
  volumes: [{name: shared, emptyDir: {}}]
  initContainers:
  - name: side
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "echo from-sidecar > /shared/msg; exec sleep 100000"]
    volumeMounts: [{name: shared, mountPath: /shared}]
    startupProbe: {exec: {command: ["test", "-f", "/shared/msg"]}, periodSeconds: 1}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "cat /shared/msg"]
    volumeMounts: [{name: shared, mountPath: /shared}]
---
apiVersion: v1
kind: Pod
metadata: {name: init-error}
spec:
  nodeName: ${node}
  restartPolicy: Never
  initContainers: [{name: bad, image: busybox, command: ["sh", "-c", "exit 2"]}]
  containers: [{name: app, image: busybox, command: ["true"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: init-crashloop}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  initContainers:
  - {name: ok, image: busybox, command: ["true"]}
  - {name: bad, image: busybox, command: ["sh", "-c", "exit 2"]}
  containers: [{name: app, image: busybox, command: ["sleep", "100000"]}]
`;

describe('pod lifecycle on a real node', { skip: rootSkip }, () => {
  let c: NodeCluster;
  const host = mkdtempSync(join(tmpdir(), 'kubeling-hooks-'));
  const pod = async (name: string) => JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
  const cond = (p: Pod, t: string) => p.status?.conditions?.find(x => x.type === t)?.status;
  const statusCol = async (name: string) => (await c.k(['get', 'pod', name, '--no-headers'])).trim().split(/\s+/)[2];
  const events = async (name: string) => JSON.parse(await c.k(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).items as { reason: string; message: string }[];

  before(async () => {
    c = new NodeCluster();
    await c.start();
    await c.k(['apply', '-f', '-'], manifests(c.nodeName, host));
  });
  after(async () => {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    rmSync(host, { recursive: true, force: true });
    assert.deepEqual(c.leftovers(), []);
  });

  it('a container over its memory limit ends OOMKilled', async () => {
    const p = await eventually(async () => { const x = await pod('oom'); return x.status?.phase === 'Failed' && x; }, 30_000, 'oom Failed');
    const t = p.status!.containerStatuses![0]!.state!.terminated!;
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
    assert.equal(await statusCol('oom'), 'OOMKilled');
  });

  it('termination messages come from the file, or the log tail with FallbackToLogsOnError', async () => {
    const p = await eventually(async () => { const x = await pod('messages'); return x.status?.phase === 'Failed' && x; }, 30_000, 'messages Failed');
    const term = (n: string) => p.status!.containerStatuses!.find(s => s.name === n)!.state!.terminated!;
    assert.equal(term('file').message, 'custom message\n');
    assert.equal(term('file').exitCode, 4);
    assert.equal(term('logs').message, 'last words\n');
  });

  it('liveness failures restart the container; startup gates readiness; readiness drives Ready', async () => {
    await eventually(async () => cond(await pod('probes'), 'Ready') === 'True', 30_000, 'Ready');
    const p = await pod('probes');
    assert.equal(p.status!.containerStatuses!.find(s => s.name === 'web')!.started, true);
    await eventually(async () => cond(await pod('probes'), 'Ready') === 'False', 30_000, 'not Ready again');
    const live = await eventually(async () => { const s = (await pod('probes')).status!.containerStatuses!.find(x => x.name === 'live')!; return s.restartCount >= 1 && s; }, 30_000, 'liveness restart');
    assert.equal(live.lastState!.terminated!.exitCode, 137);
    const ev = await events('probes');
    assert.ok(ev.some(e => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed')));
    assert.ok(ev.some(e => e.reason === 'Unhealthy' && e.message.startsWith('Readiness probe failed: HTTP probe failed with statuscode: 404')));
    assert.ok(ev.some(e => e.reason === 'Killing' && e.message === 'Container live failed liveness probe, will be restarted'));
  });

  it('postStart runs after start; deletion runs preStop, then SIGTERM, then removes the pod', async () => {
    await eventually(async () => (await c.k(['logs', 'hooks'])).includes('hooked'), 20_000, 'postStart');
    const t0 = Date.now();
    await c.k(['delete', 'pod', 'hooks']);
    assert.ok(Date.now() - t0 < 8000, 'the container exits on SIGTERM, before the grace period');
    assert.deepEqual(readFileSync(join(host, 'events'), 'utf8').trim().split('\n'), ['preStop', 'TERM']);
    assert.equal((await c.kubectl(['get', 'pod', 'hooks'])).code, 1);
  });

  it('a container ignoring SIGTERM is killed when the grace period ends', async () => {
    await eventually(async () => (await pod('stubborn')).status?.phase === 'Running', 20_000, 'running');
    const t0 = Date.now();
    await c.k(['delete', 'pod', 'stubborn']);
    const took = Date.now() - t0;
    assert.ok(took >= 1900 && took < 10_000, `took ${took} ms`);
    assert.ok((await events('stubborn')).some(e => e.reason === 'Killing' && e.message === 'Stopping container c'));
  });

  it('--grace-period=0 --force removes the pod at once and the node cleans up', async () => {
    const p = await eventually(async () => { const x = await pod('forced'); return x.status?.phase === 'Running' && x; }, 20_000, 'running');
    const t0 = Date.now();
    await c.k(['delete', 'pod', 'forced', '--grace-period=0', '--force']);
    assert.ok(Date.now() - t0 < 5000);
    await eventually(async () => {
      const rt = await c.runtime();
      return (await rt.listSandboxes({ labels: { [POD_UID]: p.metadata!.uid! } })).length === 0;
    }, 20_000, 'sandbox removed');
  });

  it('native sidecars start before app containers and do not keep a finished pod alive', async () => {
    const p = await eventually(async () => { const x = await pod('sidecar'); return x.status?.phase === 'Succeeded' && x; }, 30_000, 'sidecar pod Succeeded');
    assert.equal((await c.k(['logs', 'sidecar', '-c', 'app'])).trim(), 'from-sidecar');
    assert.ok(p.status!.initContainerStatuses![0]!.state!.terminated, 'the sidecar was stopped');
  });

  it('init failures: Init:Error with Never, Init:CrashLoopBackOff otherwise', async () => {
    const p = await eventually(async () => { const x = await pod('init-error'); return x.status?.phase === 'Failed' && x; }, 30_000, 'init-error Failed');
    assert.equal(p.status!.initContainerStatuses![0]!.state!.terminated!.exitCode, 2);
    assert.equal(p.status!.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
    assert.equal(await statusCol('init-error'), 'Init:Error');
    await eventually(async () => (await statusCol('init-crashloop')) === 'Init:CrashLoopBackOff', 40_000, 'Init:CrashLoopBackOff');
    const q = await pod('init-crashloop');
    assert.equal(q.status!.phase, 'Pending');
    assert.equal(cond(q, 'Initialized'), 'False');
  });
});
