/** The informer cache's indices: refiled only when an index value changes, never left stale. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import { Cache, indexByNodeName, indexByOwnerUid } from '../../src/client/cache.js';

const pod = (name: string, ns: string, node?: string, owners: string[] = [], phase = 'Pending'): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: ns, ownerReferences: owners.map(uid => ({ apiVersion: 'v1', kind: 'X', name: uid, uid })) },
  spec: node ? { nodeName: node } : {}, status: { phase },
} as KubeObject);
const names = (xs: KubeObject[]) => xs.map(x => x.metadata!.name).sort();

describe('Cache indices', () => {
  it('keep objects filed through updates that change nothing indexed, and move them when a value changes', () => {
    const c = new Cache<KubeObject>();
    c.addIndexer('node', indexByNodeName);
    c.addIndexer('owner', indexByOwnerUid);
    c.set(pod('a', 'ns1', 'n1', ['o1']));
    c.set(pod('b', 'ns1', 'n1', ['o1', 'o2']));
    // A status write: same index values.
    const old = c.set(pod('a', 'ns1', 'n1', ['o1'], 'Running'));
    assert.equal(old?.status?.phase, 'Pending');
    assert.equal(c.get('ns1/a')?.status?.phase, 'Running');
    assert.deepEqual(names(c.byIndex('node', 'n1')), ['a', 'b']);
    assert.deepEqual(names(c.byIndex('owner', 'o1')), ['a', 'b']);
    assert.deepEqual(names(c.byIndex('namespace', 'ns1')), ['a', 'b']);
    // Moved to another node and owner: refiled, and empty values disappear.
    c.set(pod('b', 'ns1', 'n2', ['o3']));
    assert.deepEqual(names(c.byIndex('node', 'n1')), ['a']);
    assert.deepEqual(names(c.byIndex('node', 'n2')), ['b']);
    assert.deepEqual(names(c.byIndex('owner', 'o1')), ['a']);
    assert.deepEqual(c.byIndex('owner', 'o2'), []);
    assert.deepEqual(c.indexValues('owner').sort(), ['o1', 'o3']);
    // Unbound again (no value at all), then deleted.
    c.set(pod('a', 'ns1'));
    assert.deepEqual(c.indexValues('node'), ['n2']);
    c.delete('ns1/b');
    assert.deepEqual(c.indexValues('node'), []);
    assert.deepEqual(names(c.byIndex('namespace', 'ns1')), ['a']);
  });
});
