/** ZoneTally: per-zone ready counts kept from node events, with the synced node's own view. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneTally } from '../../src/controllers/node-lifecycle-zones.js';
import { zoneOf, zoneState } from '../../src/controllers/node-lifecycle-taints.js';

const node = (name: string, zone: string, ready: 'True' | 'False' | 'Unknown') => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});

/** The tally's zone key for a zone label (region/zone, as zoneOf builds it). */
const zk = (zone: string) => zoneOf(node('_', zone, 'True'));

describe('ZoneTally', () => {
  it('counts ready and total nodes per zone through adds, updates and deletes', () => {
    const z = new ZoneTally();
    z.set(node('a', 'z1', 'True'));
    z.set(node('b', 'z1', 'True'));
    z.set(node('c', 'z2', 'False'));
    assert.deepEqual(z.zone(zk('z1'), 'a', true), { ready: 2, total: 2 });
    z.set(node('b', 'z1', 'Unknown'));
    assert.deepEqual(z.zone(zk('z1'), 'a', true), { ready: 1, total: 2 });
    z.set(node('b', 'z2', 'True')); // moved zone
    assert.deepEqual(z.zone(zk('z1'), 'a', true), { ready: 1, total: 1 });
    assert.deepEqual(z.zone(zk('z2'), 'c', false), { ready: 1, total: 2 });
    z.remove('b');
    z.remove('b');
    assert.deepEqual(z.zone(zk('z2'), 'c', false), { ready: 0, total: 1 });
    assert.equal(z.size, 2);
  });

  it("counts the synced node as the controller sees it, not as the informer last had it", () => {
    const z = new ZoneTally();
    for (const n of ['a', 'b', 'c', 'd']) z.set(node(n, 'z', 'True'));
    // The controller has just judged 'a' Unknown; the informer still says True.
    assert.deepEqual(z.zone(zk('z'), 'a', false), { ready: 3, total: 4 });
    // A node the tally has not seen yet counts once.
    assert.deepEqual(z.zone(zk('z'), 'new', false), { ready: 4, total: 5 });
  });

  it('knows when no node at all is ready', () => {
    const z = new ZoneTally();
    assert.equal(z.noneReady('x', false), true, 'a lone unready node is every node');
    z.set(node('a', 'z1', 'True'));
    z.set(node('b', 'z2', 'Unknown'));
    assert.equal(z.noneReady('b', false), false);
    assert.equal(z.noneReady('a', false), true);
  });

  it('feeds zoneState as the per-node scan did', () => {
    assert.equal(zoneState(0, 3, 0.55), 'FullDisruption');
    assert.equal(zoneState(1, 4, 0.55), 'PartialDisruption');
    assert.equal(zoneState(2, 4, 0.55), 'Normal', 'two not ready is never a disruption');
    assert.equal(zoneState(0, 0, 0.55), 'Normal');
  });
});
