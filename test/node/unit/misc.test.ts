/** Small pure pieces: back-off, log request options and run selection, the proxy's container choice, the Node object. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, CrashBackoff } from '../../../src/node/pods/backoff.js';
import { humanDelay } from '../../../src/node/pods/pod-worker.js';
import { logContainerId, logOptions } from '../../../src/node/server/logs-handler.js';
import { pickContainer } from '../../../src/node/api-proxy/logs.js';
import { nodeStatus, statusFingerprint, type NodeFacts } from '../../../src/node/node/node-object.js';
import { podDns } from '../../../src/node/containers/sandbox-config.js';
import { c, pod } from './builders.js';

describe('Backoff', () => {
  it('doubles up to the maximum and starts over after a quiet period', () => {
    let now = 0;
    const b = new Backoff(10, 40, () => now);
    assert.equal(b.remaining('k'), 0);
    assert.deepEqual([b.next('k'), b.next('k'), b.next('k'), b.next('k')], [10, 20, 40, 40]);
    assert.equal(b.remaining('k'), 40);
    now = 30;
    assert.equal(b.remaining('k'), 10);
    now = 200;
    assert.equal(b.next('k'), 10);
  });
  it('CrashLoopBackOff: first restart at once, then 10 s doubling to 5 min, forgiven after 10 min running', () => {
    let now = 100_000;
    const b = new CrashBackoff(10_000, 300_000, 600_000, () => now);
    const run = (started: number, finished: number) => ({ startedAt: new Date(started), finishedAt: new Date(finished) });
    assert.equal(b.left('c', run(0, 100_000)), 0);
    b.bump('c');
    assert.equal(b.left('c', run(100_000, 100_000)), 10_000);
    for (let i = 0; i < 10; i++) b.bump('c');
    assert.equal(b.delay('c'), 300_000);
    now = 2_000_000;
    assert.equal(b.left('c', run(1_000_000, 1_700_000)), 0, 'ran 700 s: forgiven');
    assert.equal(b.delay('c'), 10_000);
  });

  it('formats delays like Go durations', () => {
    assert.deepEqual([10_000, 80_000, 300_000].map(humanDelay), ['10s', '1m20s', '5m0s']);
  });
});

describe('log requests', () => {
  it('reads kubectl\'s parameters', () => {
    const o = logOptions(new URLSearchParams('follow=true&tailLines=5&sinceSeconds=10&timestamps=true&limitBytes=7'), 100_000);
    assert.deepEqual(o, { follow: true, timestamps: true, tailLines: 5, limitBytes: 7, sinceTime: new Date(90_000) });
    assert.throws(() => logOptions(new URLSearchParams('tailLines=-1')), /invalid tailLines/);
  });
  it('picks the run as upstream: running, terminated, last terminated, or an error', () => {
    const term = (id: string) => ({ terminated: { exitCode: 1, containerID: id } });
    assert.equal(logContainerId({ name: 'c', image: '', imageID: '', ready: true, restartCount: 0, containerID: 'runc://a', state: { running: {} } }, 'c', 'p', false), 'runc://a');
    const crash = { name: 'c', image: '', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: term('runc://b') };
    assert.equal(logContainerId(crash, 'c', 'p', false), 'runc://b');
    assert.equal(logContainerId(crash, 'c', 'p', true), 'runc://b');
    assert.throws(() => logContainerId({ ...crash, lastState: {} }, 'c', 'p', true), /previous terminated container "c" in pod "p" not found/);
    assert.throws(() => logContainerId({ ...crash, lastState: {}, state: { waiting: { reason: 'ContainerCreating' } } }, 'c', 'p', false), /container "c" in pod "p" is waiting to start: ContainerCreating/);
    assert.throws(() => logContainerId({ ...crash, lastState: {}, state: { waiting: { reason: 'ImagePullBackOff' } } }, 'c', 'p', false), /trying and failing to pull image/);
  });
  it('the API server defaults and validates the container', () => {
    assert.equal(pickContainer(pod({ containers: [c('only')] }), null), 'only');
    assert.throws(() => pickContainer(pod({ containers: [c('a'), c('b')], initContainers: [c('i')] }), null), /a container name must be specified for pod p, choose one of: \[a b\] or one of the init containers: \[i\]/);
    assert.throws(() => pickContainer(pod({ containers: [c('a')] }), 'x'), /container x is not valid for pod p/);
    assert.equal(pickContainer(pod({ containers: [c('a')], initContainers: [c('i')] }), 'i'), 'i');
  });
});

describe('Node status', () => {
  const facts: NodeFacts = {
    name: 'n1', podCidr: '10.42.0.0/24', port: 10250, runtimeVersion: 'runc://1.1.5', images: [],
    machine: { cpus: 2, memoryBytes: 4 * 2 ** 30, diskBytes: 100 * 2 ** 30, hostname: 'h', nodeIP: '192.0.2.2', machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', architecture: 'amd64' },
    pressure: { memoryAvailableBytes: 2 * 2 ** 30, diskAvailableBytes: 50 * 2 ** 30, diskTotalBytes: 100 * 2 ** 30, pidsUsed: 100, pidsMax: 4194304 },
  };
  it('reports capacity, allocatable and healthy conditions', () => {
    const s = nodeStatus(facts, undefined, new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual(s.capacity, { cpu: '2', 'ephemeral-storage': `${100 << 20}Ki`, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${4 << 20}Ki`, pods: '110' });
    assert.equal(s.allocatable!.memory, `${(4 << 20) - 100 * 1024}Ki`);
    assert.deepEqual(s.conditions!.map(x => [x.type, x.status, x.reason]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady']]);
    assert.equal(s.daemonEndpoints!.kubeletEndpoint!.Port, 10250);
  });
  it('keeps transition times, moves heartbeats, and flags pressure', () => {
    const a = nodeStatus(facts, undefined, new Date('2026-01-01T00:00:00Z'));
    const b = nodeStatus(facts, a, new Date('2026-01-01T00:01:00Z'));
    assert.equal(b.conditions![3]!.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(b.conditions![3]!.lastHeartbeatTime, '2026-01-01T00:01:00Z');
    assert.equal(statusFingerprint(a), statusFingerprint(b));
    const low = nodeStatus({ ...facts, pressure: { ...facts.pressure, memoryAvailableBytes: 1 << 20 } }, b, new Date('2026-01-01T00:02:00Z'));
    assert.equal(low.conditions![0]!.status, 'True');
    assert.equal(low.conditions![0]!.lastTransitionTime, '2026-01-01T00:02:00Z');
  });
});

describe('pod DNS', () => {
  const svc = { spec: { clusterIP: '10.43.0.10' } };
  it('ClusterFirst uses the cluster DNS with the namespace search path; dnsConfig merges', () => {
    const p = pod({ containers: [] });
    assert.deepEqual(podDns(p, svc), { servers: ['10.43.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
    assert.equal(podDns(p, undefined), undefined, 'no cluster DNS: the node resolv.conf');
    const q = { ...p, spec: { ...p.spec!, dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x'], options: [{ name: 'ndots', value: '2' }] } } };
    assert.deepEqual(podDns(q, svc), { servers: ['1.1.1.1'], searches: ['x'], options: ['ndots:2'] });
  });
});
