/** Work queue: dedupe, per-key exclusivity, delays and rate-limited retries on a fake clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BucketRateLimiter, Controller, DelayingQueue, FakeClock, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, Queue,
  RateLimitingQueue,
} from '../../src/client/index.js';

/** Whether a promise has settled, without waiting for it. */
async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise(r => setImmediate(r));
  return done;
}

describe('Queue', () => {
  it('merges duplicate adds and keeps FIFO order', async () => {
    const q = new Queue();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.len(), 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
  });

  it('never hands a key to two workers; a re-add during processing comes back after done', async () => {
    const q = new Queue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a'); // dirty while processing: not queued
    q.add('a');
    assert.equal(q.len(), 0);
    const second = q.get();
    assert.equal(await settled(second), false, 'a second worker must wait');
    q.done('a');
    assert.equal(await second, 'a');
    q.done('a');
    assert.equal(q.len(), 0);
    assert.equal(q.processingCount(), 0);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new Queue();
    const g = q.get();
    q.add('x');
    assert.equal(await g, 'x');
  });

  it('shutDown releases idle workers, drops what is queued, ignores new adds', async () => {
    const q = new Queue();
    const idle = q.get();
    q.shutDown();
    assert.equal(await idle, undefined);
    const q2 = new Queue();
    q2.add('a');
    q2.add('b');
    assert.equal(await q2.get(), 'a');
    q2.add('a'); // dirty while processing
    q2.shutDown();
    q2.add('c');
    q2.done('a');
    assert.equal(q2.len(), 0);
    assert.equal(await q2.get(), undefined, 'a stopped controller works off no backlog');
  });

  it('shutDownWithDrain waits for keys in progress', async () => {
    const q = new Queue();
    q.add('a');
    const k = await q.get();
    const drained = q.shutDownWithDrain();
    assert.equal(await settled(drained), false);
    q.done(k!);
    await drained;
  });
});

describe('DelayingQueue', () => {
  it('adds after the delay on the injected clock', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    q.addAfter('a', 100);
    q.addAfter('now', 0);
    assert.equal(q.len(), 1);
    clock.advance(99);
    assert.equal(q.len(), 1);
    clock.advance(1);
    assert.equal(q.len(), 2);
    assert.equal(q.waitingCount(), 0);
  });

  it('keeps the earlier time when a waiting key is added again', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    q.addAfter('a', 500);
    q.addAfter('a', 100);
    q.addAfter('a', 900);
    assert.equal(q.waitingCount(), 1);
    clock.advance(100);
    assert.equal(q.len(), 1);
    clock.advance(1000);
    assert.equal(q.len(), 1, 'the superseded 500 ms entry must not add it twice');
  });

  it('fires keys in due order and drops waiting keys on shutDown', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    q.addAfter('c', 30);
    q.addAfter('a', 10);
    q.addAfter('b', 20);
    clock.advance(30);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
    q.addAfter('late', 10);
    q.shutDown();
    assert.equal(clock.pending, 0);
  });
});

describe('rate limiters', () => {
  it('per-key exponential back-off from 5 ms, capped at 1000 s, reset by forget', () => {
    const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => rl.when('a')), [5, 10, 20, 40, 80]);
    assert.equal(rl.when('b'), 5, 'keys back off independently');
    assert.equal(rl.numRequeues('a'), 5);
    for (let i = 0; i < 40; i++) rl.when('a');
    assert.equal(rl.when('a'), 1_000_000);
    rl.forget('a');
    assert.equal(rl.numRequeues('a'), 0);
    assert.equal(rl.when('a'), 5);
  });

  it('token bucket: burst free, then one token per 1/qps', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter(1, 2, clock);
    assert.deepEqual(['a', 'b', 'c', 'd'].map(k => rl.when(k)), [0, 0, 1000, 2000]);
    clock.advance(3000);
    assert.equal(rl.when('e'), 0);
  });

  it('max-of takes the longest delay', () => {
    const clock = new FakeClock();
    const rl = new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1000), new BucketRateLimiter(1, 1, clock));
    assert.equal(rl.when('a'), 5);
    assert.equal(rl.when('a'), 1000);
  });
});

describe('RateLimitingQueue', () => {
  it('retries with growing delays and forget resets them', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      q.addRateLimited('k');
      let waited = 0;
      while (q.len() === 0) { clock.advance(1); waited++; }
      delays.push(waited);
      q.done((await q.get())!);
    }
    assert.deepEqual(delays, [5, 10, 20, 40]);
    assert.equal(q.numRequeues('k'), 4);
    q.forget('k');
    q.addRateLimited('k');
    clock.advance(5);
    assert.equal(q.len(), 1);
  });
});

describe('Controller', () => {
  it('runs the standard loop: retries failures with back-off, forgets on success', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });
    let calls = 0;
    const c = new Controller({
      name: 'test', queue, logger: { info() {}, warn() {}, error() {} },
      sync: async () => { if (++calls < 3) throw new Error('not yet'); },
    });
    c.enqueue('ns/a');
    assert.equal(await c.processNextWorkItem(), true);
    assert.equal(queue.numRequeues('ns/a'), 1);
    assert.equal(queue.len(), 0);
    clock.advance(5);
    await c.processNextWorkItem();
    assert.equal(queue.numRequeues('ns/a'), 2);
    clock.advance(10);
    await c.processNextWorkItem();
    assert.equal(calls, 3);
    assert.equal(queue.numRequeues('ns/a'), 0, 'success forgets the key');
  });

  it('with many workers never syncs one key twice at once, and stops cleanly', async () => {
    let active = 0;
    let overlap = false;
    const seen = new Map<string, number>();
    const c = new Controller({
      name: 'test', workers: 4,
      sync: async key => {
        active++;
        if (seen.get(key) === 1) overlap = true;
        seen.set(key, 1);
        await new Promise(r => setTimeout(r, 2));
        seen.set(key, 0);
        active--;
      },
    });
    const running = c.run();
    for (let i = 0; i < 50; i++) { c.enqueue(`k${i % 3}`); await new Promise(r => setImmediate(r)); }
    await new Promise(r => setTimeout(r, 30));
    await c.stop();
    await running;
    assert.equal(overlap, false);
    assert.equal(active, 0);
  });

  it('drops a key after maxRetries', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });
    const c = new Controller({
      name: 'test', queue, maxRetries: 1, logger: { info() {}, warn() {}, error() {} },
      sync: async () => { throw new Error('always'); },
    });
    c.enqueue('x');
    await c.processNextWorkItem();
    clock.advance(5);
    await c.processNextWorkItem();
    clock.advance(1000);
    assert.equal(queue.len(), 0);
    assert.equal(queue.numRequeues('x'), 0);
  });
});
