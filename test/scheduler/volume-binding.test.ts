/**
 * VolumeBinding on hand-made claims, volumes, classes and nodes: PreFilter's refusals,
 * Filter's node choices (PV node affinity, static matches, provisioning, allowed
 * topologies), Reserve's promise of a volume, and PreBind's writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { CycleState, Code, type VolumeAccess } from '../../src/scheduler/index.js';
import { VolumeBinding } from '../../src/scheduler/plugins/volume-binding.js';
import { harness, makeNode, makePod, pi } from './builders.js';

const claim = (name: string, o: { cls?: string; volumeName?: string; deleting?: boolean; size?: string } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } }, storageClassName: o.cls ?? 'wffc', ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  status: { phase: o.volumeName ? 'Bound' : 'Pending' },
});
const volume = (name: string, o: { node?: string; size?: string; cls?: string; phase?: string } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels: {} },
  spec: {
    capacity: { storage: o.size ?? '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: o.cls ?? 'wffc', volumeMode: 'Filesystem',
    hostPath: { path: `/tmp/${name}` },
    ...(o.node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } } : {}),
  },
  status: { phase: o.phase ?? 'Available' },
});
const cls = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', ...extra,
});

class FakeVolumes implements VolumeAccess {
  readonly assumed = new Map<string, string>();
  readonly writes: string[] = [];
  constructor(readonly pvcs: KubeObject[], readonly pvs: KubeObject[], readonly classes: KubeObject[]) {}
  claim(ns: string, name: string) { return this.pvcs.find(c => c.metadata!.namespace === ns && c.metadata!.name === name); }
  volume(name: string) { return this.pvs.find(v => v.metadata!.name === name); }
  volumes() { return this.pvs; }
  storageClass(name: string) { return this.classes.find(c => c.metadata!.name === name); }
  async bind(refs: ReadonlyArray<{ volume: string; claim: KubeObject }>, provision: readonly KubeObject[], node: string) {
    for (const r of refs) this.writes.push(`claimRef ${r.volume} -> ${r.claim.metadata!.name}`);
    for (const c of provision) this.writes.push(`selected-node ${c.metadata!.name} = ${node}`);
  }
  async waitForBound() { return true; }
}

const nodes = [makeNode('a').label('zone', 'z1').obj(), makeNode('b').label('zone', 'z2').obj()];
const CLASSES = [
  cls('wffc'), cls('immediate', { volumeBindingMode: 'Immediate' }), cls('manual', { provisioner: 'kubernetes.io/no-provisioner' }),
  cls('zoned', { allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['z2'] }] }] }),
];
const withClaims = (...names: string[]) => {
  const w = makePod('p').container();
  w.p.spec.volumes = names.map(n => ({ name: `v-${n}`, persistentVolumeClaim: { claimName: n } }));
  return w.obj();
};

function setup(pvcs: KubeObject[], pvs: KubeObject[] = []) {
  const h = harness(nodes);
  const v = new FakeVolumes(pvcs, pvs, CLASSES);
  const plugin = new VolumeBinding({ ...h.handle, volumes: v });
  const filter = (pod = withClaims(...pvcs.map(c => c.metadata!.name!))) => {
    const state = new CycleState();
    const pre = plugin.preFilter(state, pi(pod));
    if (pre.code !== Code.Success) return { pre, state, nodes: {} as Record<string, string> };
    const out: Record<string, string> = {};
    for (const n of ['a', 'b']) { const s = plugin.filter(state, pi(pod), h.cache.get(n)!); out[n] = s.isSuccess() ? 'ok' : `${s.code}: ${s.message()}`; }
    return { pre, state, nodes: out };
  };
  return { plugin, v, filter };
}

describe('VolumeBinding', () => {
  it('skips pods without claims', () => {
    const { plugin } = setup([]);
    assert.equal(plugin.preFilter(new CycleState(), pi(makePod('p').container().obj())).code, Code.Skip);
  });

  it('PreFilter refuses missing, terminating and unbound Immediate claims as unresolvable', () => {
    const cases: Array<[KubeObject[], string]> = [
      [[], 'persistentvolumeclaim "gone" not found'],
      [[claim('gone', { deleting: true })], 'persistentvolumeclaim "gone" is being deleted'],
      [[claim('gone', { cls: 'immediate' })], 'pod has unbound immediate PersistentVolumeClaims'],
      [[claim('gone', { volumeName: 'nope' })], 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)'],
    ];
    for (const [pvcs, msg] of cases) {
      const { filter } = setup(pvcs);
      const { pre } = filter(withClaims('gone'));
      assert.deepEqual([pre.code, pre.message()], [Code.UnschedulableAndUnresolvable, msg]);
    }
  });

  it('a bound claim pins the pod to the nodes its volume reaches', () => {
    const { filter } = setup([claim('data', { volumeName: 'pv-a' })], [volume('pv-a', { node: 'a', phase: 'Bound' })]);
    assert.deepEqual(filter().nodes, { a: 'ok', b: `${Code.UnschedulableAndUnresolvable}: node(s) had volume node affinity conflict` });
  });

  it('an unbound WaitForFirstConsumer claim takes an Available volume reachable from the node, else is provisioned', () => {
    const { filter } = setup([claim('data')], [volume('pv-b', { node: 'b' }), volume('small', { size: '100Mi' })]);
    const { state, nodes: res } = filter();
    assert.deepEqual(res, { a: 'ok', b: 'ok' });
    // On b the existing volume is used; on a (unreachable there) the provisioner makes one.
    const plans = (state.read('PreFilterVolumeBinding') as unknown as { byNode: Map<string, { static: unknown[]; provision: unknown[] }> }).byNode;
    assert.deepEqual([plans.get('a')!.static.length, plans.get('a')!.provision.length], [0, 1]);
    assert.deepEqual([plans.get('b')!.static.length, plans.get('b')!.provision.length], [1, 0]);
  });

  it('without a provisioner, only nodes with a matching volume fit; allowedTopologies limit provisioning', () => {
    const manual = setup([claim('data', { cls: 'manual' })], [volume('pv-b', { node: 'b', cls: 'manual' })]);
    assert.deepEqual(manual.filter().nodes, { a: `${Code.UnschedulableAndUnresolvable}: node(s) didn't find available persistent volumes to bind`, b: 'ok' });
    const zoned = setup([claim('data', { cls: 'zoned' })]);
    assert.deepEqual(zoned.filter().nodes, { a: `${Code.UnschedulableAndUnresolvable}: node(s) didn't find available persistent volumes to bind`, b: 'ok' });
  });

  it('Reserve promises the picked volume (others no longer see it); PreBind writes claimRef and selected-node', async () => {
    const { plugin, v, filter } = setup([claim('data'), claim('more')], [volume('pv-b', { node: 'b' })]);
    const { state } = filter();
    assert.ok(plugin.reserve(state, pi(withClaims('data', 'more')), 'b').isSuccess());
    assert.equal(v.assumed.get('pv-b'), 'default/data');
    // Another pod's claim now finds no free volume on b and would be provisioned.
    const other = setup([claim('x')], v.pvs);
    other.v.assumed.set('pv-b', 'default/data');
    const { state: s2 } = other.filter();
    const plan = (s2.read('PreFilterVolumeBinding') as unknown as { byNode: Map<string, { static: unknown[] }> }).byNode.get('b')!;
    assert.equal(plan.static.length, 0);

    const s = await plugin.preBind(state, withClaims('data', 'more'), 'b');
    assert.ok(s.isSuccess());
    assert.deepEqual(v.writes, ['claimRef pv-b -> data', 'selected-node more = b']);
    assert.equal(v.assumed.size, 0, 'the promise ends once written');
  });
});
