/** computePodActions: what a pod needs next, as a table of situations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computePodActions, initializedIn, type PodActions } from '../../../src/node/pods/actions.js';
import type { ContainerStatus } from '../../../src/node/runtime/index.js';
import { c, pod, run, sandbox, view } from './builders.js';

const probes = { started: () => true, unhealthy: () => undefined };
const act = (p: ReturnType<typeof pod>, v: ReturnType<typeof view>, o: { backoff?: number; unhealthy?: string; started?: boolean } = {}) => computePodActions({
  pod: p, view: v,
  probes: { started: () => o.started ?? true, unhealthy: () => o.unhealthy },
  backoffLeft: () => o.backoff ?? 0,
});
const starts = (a: PodActions) => a.start.map(s => `${s.entry.c.name}${s.restart ? '(restart)' : ''}`);

describe('computePodActions', () => {
  const app = c('app');
  const init1 = c('i1');
  const init2 = c('i2');
  const side = c('side', { restartPolicy: 'Always' });
  const exited = (name: string, code: number, extra: Partial<ContainerStatus> = {}) => run(name, 'exited', { exitCode: code, reason: code ? 'Error' : 'Completed', ...extra });

  const cases: { name: string; pod: ReturnType<typeof pod>; v: ReturnType<typeof view>; o?: Parameters<typeof act>[2]; want: Partial<{ start: string[]; createSandbox: boolean; terminal: string; kill: number; backoff: string[]; initialized: boolean }> }[] = [
    { name: 'no sandbox: create it and start the app containers', pod: pod({ containers: [app, c('b')] }), v: view([], []), want: { createSandbox: true, start: ['app', 'b'] } },
    { name: 'no sandbox with init containers: the first init only', pod: pod({ containers: [app], initContainers: [init1, init2] }), v: view([], []), want: { createSandbox: true, start: ['i1'] } },
    { name: 'init containers go one at a time', pod: pod({ containers: [app], initContainers: [init1, init2] }), v: view([sandbox()], [exited('i1', 0)]), want: { start: ['i2'], initialized: false } },
    { name: 'a running init container blocks the rest', pod: pod({ containers: [app], initContainers: [init1, init2] }), v: view([sandbox()], [run('i1', 'running', { kind: 'init' })]), want: { start: [] } },
    { name: 'all init done: apps start', pod: pod({ containers: [app], initContainers: [init1] }), v: view([sandbox()], [exited('i1', 0)]), want: { start: ['app'], initialized: true } },
    { name: 'failed init with Never ends the pod Failed', pod: pod({ containers: [app], initContainers: [init1], restartPolicy: 'Never' }), v: view([sandbox()], [exited('i1', 1)]), want: { terminal: 'Failed' } },
    { name: 'failed init with Always restarts it', pod: pod({ containers: [app], initContainers: [init1] }), v: view([sandbox()], [exited('i1', 1)]), want: { start: ['i1(restart)'] } },
    { name: 'failed init in back-off waits', pod: pod({ containers: [app], initContainers: [init1] }), v: view([sandbox()], [exited('i1', 1)]), o: { backoff: 5000 }, want: { start: [], backoff: ['i1'] } },
    { name: 'a sidecar must be started before the next init', pod: pod({ containers: [app], initContainers: [side, init1] }), v: view([sandbox()], [run('side', 'running', { kind: 'sidecar' })]), o: { started: false }, want: { start: [] } },
    { name: 'a started sidecar lets the next init run', pod: pod({ containers: [app], initContainers: [side, init1] }), v: view([sandbox()], [run('side', 'running', { kind: 'sidecar' })]), want: { start: ['i1'] } },
    { name: 'Always restarts an exited app', pod: pod({ containers: [app] }), v: view([sandbox()], [exited('app', 0)]), want: { start: ['app(restart)'] } },
    { name: 'OnFailure restarts a failed app', pod: pod({ containers: [app], restartPolicy: 'OnFailure' }), v: view([sandbox()], [exited('app', 3)]), want: { start: ['app(restart)'] } },
    { name: 'OnFailure with success: Succeeded', pod: pod({ containers: [app], restartPolicy: 'OnFailure' }), v: view([sandbox()], [exited('app', 0)]), want: { start: [], terminal: 'Succeeded' } },
    { name: 'Never with a failure: Failed', pod: pod({ containers: [app, c('b')], restartPolicy: 'Never' }), v: view([sandbox()], [exited('app', 0), exited('b', 3)]), want: { terminal: 'Failed' } },
    { name: 'Never with one still running: not finished', pod: pod({ containers: [app, c('b')], restartPolicy: 'Never' }), v: view([sandbox()], [exited('app', 0), run('b', 'running')]), want: { terminal: undefined } },
    { name: 'a sidecar does not keep a finished pod', pod: pod({ containers: [app], initContainers: [side], restartPolicy: 'Never' }), v: view([sandbox()], [run('side', 'running', { kind: 'sidecar' }), exited('app', 0)]), want: { terminal: 'Succeeded' } },
    { name: 'liveness failure kills the container', pod: pod({ containers: [app] }), v: view([sandbox()], [run('app', 'running')]), o: { unhealthy: 'Container app failed liveness probe, will be restarted' }, want: { kill: 1, start: [] } },
    { name: 'a dead sandbox of a Never pod whose containers ran: Failed', pod: pod({ containers: [app], restartPolicy: 'Never' }), v: view([sandbox('notready')], [run('app', 'exited', { exitCode: 137, reason: 'Error' })]), want: { terminal: 'Failed', createSandbox: false } },
    { name: 'a dead sandbox otherwise: a new one, everything again', pod: pod({ containers: [app], initContainers: [init1] }), v: view([sandbox('notready')], [exited('i1', 0), run('app', 'exited', { exitCode: 137 })]), want: { createSandbox: true, start: ['i1'] } },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const a = act(t.pod, t.v, t.o);
      if (t.want.start) assert.deepEqual(starts(a), t.want.start);
      if ('createSandbox' in t.want) assert.equal(a.createSandbox, t.want.createSandbox);
      if ('terminal' in t.want) assert.equal(a.terminal, t.want.terminal);
      if (t.want.kill !== undefined) assert.equal(a.kill.length, t.want.kill);
      if (t.want.backoff) assert.deepEqual([...a.backoff.keys()], t.want.backoff);
      if (t.want.initialized !== undefined) assert.equal(a.initialized, t.want.initialized);
    });
  }

  it('a changed container spec is killed and started again', () => {
    const a = act(pod({ containers: [app] }), view([sandbox()], [run('app', 'running', { annotations: { 'io.kubernetes.container.hash': 'old', 'io.kubeling.container.kind': 'app' } })]));
    assert.equal(a.kill.length, 1);
    assert.deepEqual(starts(a), ['app(restart)']);
  });

  it('initializedIn: regular inits exited 0 and sidecars started', () => {
    const p = pod({ containers: [app], initContainers: [init1, side] });
    assert.equal(initializedIn(p, view([sandbox()], [exited('i1', 0), run('side', 'running', { kind: 'sidecar' })]), () => true), true);
    assert.equal(initializedIn(p, view([sandbox()], [exited('i1', 0), run('side', 'running', { kind: 'sidecar' })]), () => false), false);
    assert.equal(initializedIn(pod({ containers: [app] }), view([], []), () => true), true);
    void probes;
  });
});
