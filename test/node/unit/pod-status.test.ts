/** buildPodStatus: container states, restart counts, phases, conditions and the STATUS kubectl shows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildPodStatus, type Waiting } from '../../../src/node/pods/pod-status.js';
import { summarizePod } from '../../../src/apiserver/tables/printers/pods.js';
import { c, pod, run, sandbox, view } from './builders.js';

function status(p: Pod, v: ReturnType<typeof view>, o: { waiting?: Record<string, Waiting>; initialized?: boolean; terminal?: 'Succeeded' | 'Failed'; ready?: boolean } = {}) {
  const s = buildPodStatus({
    pod: p, view: v, hostIP: '192.0.2.2', waiting: new Map(Object.entries(o.waiting ?? {})), initialized: o.initialized ?? true,
    terminal: o.terminal, ready: () => o.ready ?? true, started: () => true, message: () => undefined, startTime: '2026-01-01T00:00:00Z',
  });
  return { s, shown: summarizePod({ ...p, status: s }).reason };
}
const cond = (s: Pod['status'], t: string) => s?.conditions?.find(x => x.type === t)?.status;

describe('buildPodStatus', () => {
  it('before the sandbox: Pending, ContainerCreating', () => {
    const { s, shown } = status(pod({ containers: [c('a')] }), view([], []));
    assert.equal(s.phase, 'Pending');
    assert.equal(s.containerStatuses![0]!.state!.waiting!.reason, 'ContainerCreating');
    assert.equal(shown, 'ContainerCreating');
    assert.equal(cond(s, 'PodReadyToStartContainers'), 'False');
    assert.equal(cond(s, 'PodScheduled'), 'True');
  });

  it('running and ready: Running, conditions True, IPs, containerID and imageID', () => {
    const { s, shown } = status(pod({ containers: [c('a')] }), view([sandbox()], [run('a', 'running', { id: 'abc' })]));
    assert.equal(s.phase, 'Running');
    assert.equal(shown, 'Running');
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']) assert.equal(cond(s, t), 'True', t);
    assert.equal(s.podIP, '10.0.0.2');
    assert.deepEqual(s.hostIPs, [{ ip: '192.0.2.2' }]);
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.containerID, 'runc://abc');
    assert.equal(cs.imageID, 'docker.io/library/busybox@sha256:x');
    assert.equal(cs.image, 'docker.io/library/busybox:latest');
    assert.equal(cs.ready, true);
  });

  it('not ready: ContainersNotReady naming the container', () => {
    const { s } = status(pod({ containers: [c('a')] }), view([sandbox()], [run('a', 'running')]), { ready: false });
    const r = s.conditions!.find(x => x.type === 'Ready')!;
    assert.equal(r.status, 'False');
    assert.equal(r.reason, 'ContainersNotReady');
    assert.equal(r.message, 'containers with unready status: [a]');
  });

  it('crash loop: waiting CrashLoopBackOff, lastState the last exit, restartCount the attempt', () => {
    const v = view([sandbox()], [run('a', 'exited', { attempt: 0, exitCode: 3, reason: 'Error' }), run('a', 'exited', { attempt: 1, exitCode: 3, reason: 'Error' })]);
    const { s, shown } = status(pod({ containers: [c('a')] }), v, { waiting: { a: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } } });
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.state!.waiting!.reason, 'CrashLoopBackOff');
    assert.equal(cs.lastState!.terminated!.exitCode, 3);
    assert.equal(cs.restartCount, 1);
    assert.equal(s.phase, 'Running');
    assert.equal(shown, 'CrashLoopBackOff');
  });

  it('running after a restart: lastState is the previous run', () => {
    const v = view([sandbox()], [run('a', 'exited', { attempt: 0, exitCode: 137, reason: 'OOMKilled' }), run('a', 'running', { attempt: 1 })]);
    const cs = status(pod({ containers: [c('a')] }), v).s.containerStatuses![0]!;
    assert.ok(cs.state!.running);
    assert.equal(cs.lastState!.terminated!.reason, 'OOMKilled');
    assert.equal(cs.restartCount, 1);
  });

  it('init progress shows Init:N/M, init errors Init:Error and Init:CrashLoopBackOff', () => {
    const p = pod({ containers: [c('app')], initContainers: [c('i1'), c('i2')] });
    let r = status(p, view([sandbox()], [run('i1', 'exited'), run('i2', 'running', { kind: 'init' })]), { initialized: false });
    assert.equal(r.shown, 'Init:1/2');
    assert.equal(r.s.phase, 'Pending');
    assert.equal(r.s.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
    assert.equal(cond(r.s, 'Initialized'), 'False');
    r = status({ ...p, spec: { ...p.spec!, restartPolicy: 'Never' } }, view([sandbox()], [run('i1', 'exited', { exitCode: 1, reason: 'Error' })]), { initialized: false, terminal: 'Failed' });
    assert.equal(r.shown, 'Init:Error');
    r = status(p, view([sandbox()], [run('i1', 'exited', { exitCode: 1, reason: 'Error' })]), { initialized: false, waiting: { i1: { reason: 'CrashLoopBackOff' } } });
    assert.equal(r.shown, 'Init:CrashLoopBackOff');
    assert.equal(r.s.phase, 'Pending');
  });

  it('a terminal phase waits until nothing runs', () => {
    const p = pod({ containers: [c('app')], initContainers: [c('side', { restartPolicy: 'Always' })], restartPolicy: 'Never' });
    const v = view([sandbox()], [run('side', 'running', { kind: 'sidecar' }), run('app', 'exited')]);
    assert.equal(status(p, v).s.phase, 'Running');
    const done = status(p, view([sandbox('notready')], [run('side', 'exited', { exitCode: 137, kind: 'sidecar' }), run('app', 'exited')]), { terminal: 'Succeeded' });
    assert.equal(done.s.phase, 'Succeeded');
    assert.equal(done.shown, 'Completed');
    assert.equal(done.s.conditions!.find(x => x.type === 'Ready')!.reason, 'PodCompleted');
    assert.equal(done.s.podIP, '10.0.0.2', 'a finished pod keeps its IP');
  });

  it('keeps conditions others own and transition times that did not change', () => {
    const p = pod({ containers: [c('a')] }, { conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' },
      { type: 'Ready', status: 'True', lastTransitionTime: '2021-01-01T00:00:00Z' },
      { type: 'example.com/gate', status: 'True' },
    ] });
    const { s } = status(p, view([sandbox()], [run('a', 'running')]));
    assert.equal(s.conditions!.find(x => x.type === 'PodScheduled')!.lastTransitionTime, '2020-01-01T00:00:00Z');
    assert.equal(s.conditions!.find(x => x.type === 'Ready')!.lastTransitionTime, '2021-01-01T00:00:00Z');
    assert.ok(s.conditions!.some(x => x.type === 'example.com/gate'));
  });
});
