/** Every in-tree plugin honours the seam: named as registered, at least one extension point, valid events, no throwing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, inTreeRegistry, type ClusterEvent, type Plugin } from '../../src/scheduler/index.js';
import { podHandler } from '../../src/scheduler/event-handlers.js';
import { SchedulingQueue, SchedulerCache } from '../../src/scheduler/index.js';
import { harness, makeNode, makePod, pi } from './builders.js';

const POINTS = ['less', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'preBind', 'bind'];
const RESOURCES = new Set(['Node', 'AssignedPod', 'UnscheduledPod', 'Namespace', 'PriorityClass', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', '*']);

describe('plugin contract', () => {
  const h = harness([makeNode('a').obj()]);
  const registry = inTreeRegistry();
  for (const name of registry.names()) {
    it(name, async () => {
      const p = registry.get(name)({}, h.handle) as Plugin & Record<string, unknown>;
      assert.equal(p.name, name);
      assert.ok(POINTS.some(m => typeof p[m] === 'function'), 'implements an extension point');
      const events = (p.events as (() => ClusterEvent[]) | undefined)?.call(p) ?? [];
      for (const e of events) assert.ok(RESOURCES.has(e.resource), `event resource ${e.resource}`);
      if (typeof p.filter === 'function' || typeof p.preFilter === 'function') {
        // A broken pod (no spec at all) must yield a Status, not an exception.
        const weird = pi({ metadata: { name: 'w', namespace: 'default' } });
        const state = new CycleState();
        const pre = typeof p.preFilter === 'function' ? (p.preFilter as Function).call(p, state, weird, h.cache.list()) : undefined;
        if (pre) assert.equal(typeof pre.code, 'number');
        if (typeof p.filter === 'function' && (!pre || pre.isSuccess())) {
          assert.equal(typeof (p.filter as Function).call(p, state, weird, h.cache.get('a')).code, 'number');
        }
      }
    });
  }
});

describe('event handlers', () => {
  it('queue only pods for our scheduler name; assigned pods go to the cache', () => {
    const cache = new SchedulerCache();
    const q = new SchedulingQueue({ less: () => false });
    const handler = podHandler({ cache, queue: q, schedulerNames: new Set(['default-scheduler']), priorityOf: () => 0 });
    handler.onAdd!(makePod('mine').obj() as never, false);
    const other = makePod('theirs').obj();
    (other.spec as { schedulerName?: string }).schedulerName = 'my-scheduler';
    handler.onAdd!(other as never, false);
    handler.onAdd!(makePod('bound').node('a').req({ cpu: '1' }).obj() as never, false);
    assert.equal(q.where('default/mine'), 'active');
    assert.equal(q.where('default/theirs'), undefined);
    assert.equal(cache.podNode('default/bound'), 'a');
    q.close();
  });
});
