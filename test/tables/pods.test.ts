import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { toTable } from '../../src/apiserver/tables/index.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;

/** A pod builder: one app container per status unless containers are given. */
function pod(status: Pod['status'], opts: { init?: number; sidecar?: boolean; deleting?: boolean; containers?: number } = {}): Pod {
  const n = opts.containers ?? Math.max(1, status?.containerStatuses?.length ?? 1);
  const init = Array.from({ length: opts.init ?? 0 }, (_, i) => ({ name: `init${i}`, image: 'busybox' }));
  if (opts.sidecar) init.push({ name: 'sidecar', image: 'envoy', restartPolicy: 'Always' } as never);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(90 * MIN), ...(opts.deleting ? { deletionTimestamp: ago(MIN) } : {}) },
    spec: { containers: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'nginx' })), initContainers: init },
    status,
  };
}

const running = (name = 'c0', extra: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name, image: 'nginx', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: ago(10 * MIN) } }, ...extra });
const waiting = (reason: string, extra: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name: 'c0', image: 'nginx', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason } }, ...extra });
const terminated = (exitCode: number, reason?: string, extra: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name: 'c0', image: 'nginx', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason } }, ...extra });

const cells = (p: Pod) => toTable({ group: '', plural: 'pods' }, [p], { includeObject: 'None', now: NOW }).rows[0]!.cells;
/** NAME READY STATUS RESTARTS AGE */
const short = (p: Pod) => cells(p).slice(1, 4);

describe('pod STATUS / READY / RESTARTS', () => {
  const cases: Array<[string, Pod, [string, string, string]]> = [
    ['running', pod({ phase: 'Running', containerStatuses: [running()] }), ['1/1', 'Running', '0']],
    ['pending, nothing reported', pod({ phase: 'Pending' }), ['0/1', 'Pending', '0']],
    ['container creating', pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }), ['0/1', 'ContainerCreating', '0']],
    ['image pull back-off', pod({ phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff')] }), ['0/1', 'ImagePullBackOff', '0']],
    ['crash loop with last restart age', pod({
      phase: 'Running',
      containerStatuses: [waiting('CrashLoopBackOff', { restartCount: 5, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } } })],
    }), ['0/1', 'CrashLoopBackOff', '5 (5m ago)']],
    ['completed', pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }), ['0/1', 'Completed', '0']],
    ['error', pod({ phase: 'Failed', containerStatuses: [terminated(1, 'Error')] }), ['0/1', 'Error', '0']],
    ['exit code without reason', pod({ phase: 'Failed', containerStatuses: [terminated(2)] }), ['0/1', 'ExitCode:2', '0']],
    ['signal without reason', pod({ phase: 'Failed', containerStatuses: [terminated(137, undefined, { state: { terminated: { exitCode: 137, signal: 9 } } })] }), ['0/1', 'Signal:9', '0']],
    ['OOMKilled', pod({ phase: 'Running', containerStatuses: [terminated(137, 'OOMKilled', { restartCount: 1 })] }), ['0/1', 'OOMKilled', '1']],
    ['evicted (pod reason)', pod({ phase: 'Failed', reason: 'Evicted' }), ['0/1', 'Evicted', '0']],
    ['init 0/2', pod({ phase: 'Pending', initContainerStatuses: [running('init0', { ready: false })], containerStatuses: [waiting('PodInitializing')] }, { init: 2 }), ['0/1', 'Init:0/2', '0']],
    ['init 1/2', pod({
      phase: 'Pending',
      initContainerStatuses: [terminated(0, 'Completed', { name: 'init0' }), waiting('PodInitializing', { name: 'init1' })],
    }, { init: 2 }), ['0/1', 'Init:1/2', '0']],
    ['init crash loop', pod({
      phase: 'Pending', initContainerStatuses: [waiting('CrashLoopBackOff', { name: 'init0', restartCount: 3 })],
    }, { init: 2 }), ['0/1', 'Init:CrashLoopBackOff', '3']],
    ['init error', pod({ phase: 'Pending', initContainerStatuses: [terminated(1, 'Error', { name: 'init0' })] }, { init: 1 }), ['0/1', 'Init:Error', '0']],
    ['init exit code', pod({ phase: 'Pending', initContainerStatuses: [terminated(3, undefined, { name: 'init0' })] }, { init: 1 }), ['0/1', 'Init:ExitCode:3', '0']],
    ['terminating', pod({ phase: 'Running', containerStatuses: [running()] }, { deleting: true }), ['1/1', 'Terminating', '0']],
    ['terminating but already succeeded', pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }, { deleting: true }), ['0/1', 'Completed', '0']],
    ['node lost', pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, { deleting: true }), ['1/1', 'Unknown', '0']],
    ['scheduling gated', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), ['0/1', 'SchedulingGated', '0']],
    ['one done, one running, not ready', pod({
      phase: 'Running', containerStatuses: [terminated(0, 'Completed'), running('c1')],
    }), ['1/2', 'NotReady', '0']],
    ['one done, one running, ready', pod({
      phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [terminated(0, 'Completed'), running('c1')],
    }), ['1/2', 'Running', '0']],
    ['native sidecar counts as a container', pod({
      phase: 'Running',
      initContainerStatuses: [running('sidecar', { started: true, restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * MIN) } } })],
      containerStatuses: [running()],
    }, { sidecar: true }), ['2/2', 'Running', '2 (3m ago)']],
    ['restarts sum over containers, latest termination wins', pod({
      phase: 'Running',
      containerStatuses: [
        running('c0', { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * MIN) } } }),
        running('c1', { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(100_000) } } }),
      ],
    }), ['2/2', 'Running', '3 (100s ago)']],
  ];
  for (const [name, p, want] of cases) it(name, () => assert.deepEqual(short(p), want));
});

describe('pod row', () => {
  it('has name, age and the wide cells', () => {
    const p = pod({
      phase: 'Running', podIP: '10.42.0.7', podIPs: [{ ip: '10.42.0.7' }], nominatedNodeName: '',
      conditions: [{ type: 'example.com/gate', status: 'True' }], containerStatuses: [running()],
    });
    p.spec!.nodeName = 'node-a';
    p.spec!.readinessGates = [{ conditionType: 'example.com/gate' }, { conditionType: 'example.com/other' }];
    assert.deepEqual(cells(p), ['p', '1/1', 'Running', '0', '90m', '10.42.0.7', 'node-a', '<none>', '1/2']);
  });
  it('shows <none> for unscheduled pods', () => {
    assert.deepEqual(cells(pod({ phase: 'Pending' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  });
  it('marks finished pods with a Completed row condition', () => {
    const t = toTable({ group: '', plural: 'pods' }, [
      pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' }), pod({ phase: 'Running' }),
    ], { includeObject: 'None', now: NOW });
    assert.deepEqual(t.rows.map(r => r.conditions?.[0]?.reason), ['Succeeded', 'Failed', undefined]);
    assert.equal(t.rows[0]!.conditions![0]!.type, 'Completed');
  });
  it('has upstream column names and priorities', () => {
    const t = toTable({ group: '', plural: 'pods' }, [], { includeObject: 'None', now: NOW });
    assert.deepEqual(t.columnDefinitions.map(c => `${c.name}:${c.priority}`), [
      'Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1',
    ]);
  });
});
