/** Leader election over a real Lease: one leader at a time; takeover on release and on a silent crash. */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import { LeaderElector } from '../../src/client/index.js';
import { quiet, startCluster, waitFor, type TestCluster } from './helpers.js';

const LEASES = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
const TIMING = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 };

describe('LeaderElector (real API server)', () => {
  let c: TestCluster;
  before(async () => { c = await startCluster(); });
  after(async () => { await c.cleanup(); });

  /** Two candidates for `lease`; records terms and whether two ever led at once. Stopped after the test. */
  function candidates(t: TestContext, lease: string, releaseOnCancel = true) {
    const leading = new Set<string>();
    let overlap = false;
    const terms: string[] = [];
    const make = (id: string) => {
      const abort = new AbortController();
      const el = new LeaderElector({
        client: c.client(`elector-${id}`), name: lease, namespace: 'kube-system', identity: id, ...TIMING,
        releaseOnCancel, logger: quiet,
        onStartedLeading: () => {
          if (leading.size > 0) overlap = true;
          leading.add(id);
          terms.push(`start ${id}`);
        },
        onStoppedLeading: () => { leading.delete(id); terms.push(`stop ${id}`); },
      });
      t.after(() => abort.abort());
      return { id, el, abort, done: el.run(abort.signal) };
    };
    return { a: make('a'), b: make('b'), leading, terms, overlap: () => overlap };
  }

  it('elects exactly one; the other takes over when the leader steps down', async t => {
    const { a, b, leading, terms, overlap } = candidates(t, 'ctrl-release');
    await waitFor(() => leading.size === 1, 'a leader');
    await new Promise(r => setTimeout(r, 500)); // several renew rounds
    const [first, second] = a.el.isLeader() ? [a, b] : [b, a];
    assert.equal(second.el.isLeader(), false);
    assert.equal(second.el.leader, first.id);
    const lease = await c.client().get<KubeObject>(LEASES, 'ctrl-release', { namespace: 'kube-system' });
    assert.equal(lease.spec.holderIdentity, first.id);
    assert.equal(lease.spec.leaseDurationSeconds, 2);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const t0 = Date.now();
    first.abort.abort();
    await first.done;
    await waitFor(() => second.el.isLeader(), 'takeover after release');
    assert.ok(Date.now() - t0 < TIMING.leaseDurationMs, 'a released lease is taken without waiting for expiry');
    const after = await c.client().get<KubeObject>(LEASES, 'ctrl-release', { namespace: 'kube-system' });
    assert.equal(after.spec.holderIdentity, second.id);
    assert.equal(after.spec.leaseTransitions, lease.spec.leaseTransitions + 1);
    second.abort.abort();
    await second.done;
    assert.equal(overlap(), false);
    assert.deepEqual(terms, [`start ${first.id}`, `stop ${first.id}`, `start ${second.id}`, `stop ${second.id}`]);
  });

  it('takes over only after the lease expires when the leader vanishes without releasing', async t => {
    const { a, b, leading, overlap } = candidates(t, 'ctrl-crash', false);
    await waitFor(() => leading.size === 1, 'a leader');
    const [first, second] = a.el.isLeader() ? [a, b] : [b, a];
    // Simulate a crash: the leader's API server connection is gone for good.
    first.abort.abort();
    await first.done;
    const t0 = Date.now();
    await waitFor(() => second.el.isLeader(), 'takeover after expiry', 10_000);
    assert.ok(Date.now() - t0 >= TIMING.leaseDurationMs - 300, `took over after ${Date.now() - t0} ms`);
    second.abort.abort();
    await second.done;
    assert.equal(overlap(), false);
  });

  it('stops leading when it cannot renew before the deadline', async t => {
    const lost: string[] = [];
    const abort = new AbortController();
    const el = new LeaderElector({
      client: c.client(), name: 'ctrl-lost', namespace: 'kube-system', identity: 'solo', ...TIMING, logger: quiet,
      onStartedLeading: signal => { signal.addEventListener('abort', () => lost.push('term aborted')); },
      onStoppedLeading: () => { lost.push('stopped'); },
    });
    const done = el.run(abort.signal);
    t.after(() => abort.abort());
    await waitFor(() => el.isLeader(), 'leading');
    await c.stopApi();
    const t0 = Date.now();
    await waitFor(() => !el.isLeader(), 'lost leadership', 5000);
    assert.ok(Date.now() - t0 < TIMING.leaseDurationMs, 'stepped down before anyone else could take over');
    await waitFor(() => lost.length === 2, 'callbacks');
    assert.deepEqual(lost, ['term aborted', 'stopped']);
    await c.startApi();
    await waitFor(() => el.isLeader(), 'leading again once the server is back', 5000);
    abort.abort();
    await done;
  });
});
