/** Event correlation: dedupe within the window, spam filter per object, on a fake clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../src/client/index.js';
import { EventCorrelator, type CoreEvent } from '../../src/client/events/correlator.js';

let n = 0;
function ev(over: Partial<CoreEvent> = {}, name = 'pod-a'): CoreEvent {
  return {
    apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.${(n++).toString(16)}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}`, apiVersion: 'v1' },
    reason: 'Scheduled', message: 'assigned', type: 'Normal', source: { component: 'sched' },
    firstTimestamp: 't0', lastTimestamp: 't0', count: 1, reportingComponent: 'sched', reportingInstance: 'h',
    ...over,
  };
}

describe('EventCorrelator', () => {
  it('patches a repeat within 10 minutes with count+1 and the first event name and firstTimestamp', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const first = c.correlate(ev());
    assert.equal(first.action, 'create');
    clock.advance(60_000);
    const again = c.correlate(ev({ lastTimestamp: 't1' }));
    assert.equal(again.action, 'patch');
    if (again.action !== 'patch' || first.action !== 'create') return;
    assert.equal(again.event.metadata.name, first.event.metadata.name);
    assert.equal(again.event.count, 2);
    assert.equal(again.event.firstTimestamp, 't0');
    assert.equal(again.event.lastTimestamp, 't1');
  });

  it('creates a new event for a different message, object or type, and after the window', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    c.correlate(ev());
    const cases: Array<[string, CoreEvent]> = [
      ['message', ev({ message: 'other' })],
      ['type', ev({ type: 'Warning' })],
      ['object', ev({}, 'pod-b')],
    ];
    for (const [what, e] of cases) assert.equal(c.correlate(e).action, 'create', what);
    clock.advance(10 * 60_000);
    assert.equal(c.correlate(ev()).action, 'create', 'window passed');
  });

  it('drops events for one object beyond the burst until tokens refill', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, burst: 3, refillMs: 1000 });
    const actions = Array.from({ length: 5 }, (_, i) => c.correlate(ev({ message: `m${i}` })).action);
    assert.deepEqual(actions, ['create', 'create', 'create', 'drop', 'drop']);
    assert.equal(c.correlate(ev({}, 'pod-other')).action, 'create', 'other objects have their own bucket');
    clock.advance(1000);
    assert.equal(c.correlate(ev({ message: 'later' })).action, 'create');
    assert.equal(c.correlate(ev({ message: 'later2' })).action, 'drop');
  });
});

describe('EventCorrelator aggregation and series', () => {
  it('after 10 different messages of one reason, further ones combine into one Event', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, burst: 100 });
    const first = Array.from({ length: 9 }, (_, i) => c.correlate(ev({ reason: 'Failed', message: `m${i}` })));
    assert.ok(first.every(x => x.action === 'create'));
    const tenth = c.correlate(ev({ reason: 'Failed', message: 'm9' }));
    assert.equal(tenth.action, 'create');
    if (tenth.action !== 'create') return;
    assert.equal(tenth.event.message, '(combined from similar events): m9');
    const eleventh = c.correlate(ev({ reason: 'Failed', message: 'm10' }));
    assert.equal(eleventh.action, 'patch');
    if (eleventh.action !== 'patch') return;
    assert.equal(eleventh.event.metadata.name, tenth.event.metadata.name);
    assert.equal(eleventh.event.count, 2);
    assert.equal(eleventh.event.message, '(combined from similar events): m10');
    assert.equal(c.correlate(ev({ reason: 'Other', message: 'x' })).action, 'create', 'another reason is not combined');
    clock.advance(10 * 60_000 + 1);
    const later = c.correlate(ev({ reason: 'Failed', message: 'm11' }));
    assert.ok(later.action === 'create' && later.event.message === 'm11', 'a quiet window starts over');
  });

  it('series mode: a repeat within 6 minutes sets series {count, lastObservedTime} on the first Event', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, series: true });
    const s = (over: Partial<CoreEvent> = {}) => ev({ action: 'Scheduling', eventTime: '2026-01-01T00:00:00.000000Z', count: undefined, firstTimestamp: undefined, lastTimestamp: undefined, ...over });
    const first = c.correlate(s());
    assert.equal(first.action, 'create');
    clock.advance(5_000);
    const again = c.correlate(s({ message: 'a different note' }));
    assert.equal(again.action, 'patch');
    if (again.action !== 'patch' || first.action !== 'create') return;
    assert.equal(again.event.metadata.name, first.event.metadata.name);
    assert.equal(again.event.series!.count, 2);
    assert.match(again.event.series!.lastObservedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const third = c.correlate(s());
    assert.equal(third.action === 'patch' && third.event.series!.count, 3);
    assert.equal(c.correlate(s({ action: 'Binding' })).action, 'create', 'another action is another series');
    clock.advance(6 * 60_000);
    assert.equal(c.correlate(s()).action, 'create', 'a finished series starts over');
  });
});
