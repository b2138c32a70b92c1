/** Which nodes a DaemonSet runs on: table of nodes × templates (NodeShouldRunDaemonPod). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { newDaemonPod, nodeShouldRunDaemonPod, targetNode } from '../../src/controllers/daemonset-predicates.js';

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject =>
  ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'd', namespace: 'ns', uid: 'u1', generation: 1 },
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } },
});
const term = (matchExpressions: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } });

describe('nodeShouldRunDaemonPod', () => {
  const cases: Array<{ name: string; node: KubeObject; ds: KubeObject; run: boolean; stay: boolean }> = [
    { name: 'plain node', node: node('n'), ds: ds(), run: true, stay: true },
    { name: 'nodeSelector match', node: node('n', { disk: 'ssd' }), ds: ds({ nodeSelector: { disk: 'ssd' } }), run: true, stay: true },
    { name: 'nodeSelector mismatch', node: node('n', { disk: 'hdd' }), ds: ds({ nodeSelector: { disk: 'ssd' } }), run: false, stay: false },
    { name: 'affinity In', node: node('n', { zone: 'a' }), ds: ds({ affinity: term([{ key: 'zone', operator: 'In', values: ['a', 'b'] }]) }), run: true, stay: true },
    { name: 'affinity NotIn', node: node('n', { zone: 'a' }), ds: ds({ affinity: term([{ key: 'zone', operator: 'NotIn', values: ['a'] }]) }), run: false, stay: false },
    { name: 'affinity DoesNotExist', node: node('n'), ds: ds({ affinity: term([{ key: 'gpu', operator: 'DoesNotExist' }]) }), run: true, stay: true },
    { name: 'affinity Gt', node: node('n', { cores: '16' }), ds: ds({ affinity: term([{ key: 'cores', operator: 'Gt', values: ['8'] }]) }), run: true, stay: true },
    { name: 'template nodeName elsewhere', node: node('n'), ds: ds({ nodeName: 'other' }), run: false, stay: false },
    { name: 'untolerated NoSchedule: no new pod, existing stays', node: node('n', {}, [{ key: 'x', effect: 'NoSchedule' }]), ds: ds(), run: false, stay: true },
    { name: 'untolerated NoExecute: evicted', node: node('n', {}, [{ key: 'x', effect: 'NoExecute' }]), ds: ds(), run: false, stay: false },
    { name: 'tolerated taint', node: node('n', {}, [{ key: 'x', value: 'y', effect: 'NoSchedule' }]), ds: ds({ tolerations: [{ key: 'x', operator: 'Equal', value: 'y' }] }), run: true, stay: true },
    { name: 'daemons tolerate unschedulable and pressure', node: node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }]), ds: ds(), run: true, stay: true },
    { name: 'daemons tolerate unreachable', node: node('n', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), ds: ds(), run: true, stay: true },
    { name: 'network-unavailable only with hostNetwork', node: node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds: ds(), run: false, stay: true },
    { name: 'network-unavailable with hostNetwork', node: node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds: ds({ hostNetwork: true }), run: true, stay: true },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(nodeShouldRunDaemonPod(c.node, c.ds), { shouldRun: c.run, shouldContinueRunning: c.stay }));
  }
});

describe('newDaemonPod', () => {
  it('replaces required node affinity with the node name, keeps preferred terms, labels the revision', () => {
    const pod = newDaemonPod(ds({ affinity: { ...term([{ key: 'zone', operator: 'In', values: ['a'] }]).nodeAffinity && {
      nodeAffinity: { ...term([{ key: 'zone', operator: 'In', values: ['a'] }]).nodeAffinity, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }] },
    } } }), 'node-7', 'h4sh');
    assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution,
      { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-7'] }] }] });
    assert.equal(pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.length, 1);
    assert.equal(targetNode(pod), 'node-7');
    assert.equal(pod.metadata!.labels!['controller-revision-hash'], 'h4sh');
    assert.equal(pod.metadata!.generateName, 'd-');
    assert.deepEqual(pod.metadata!.ownerReferences![0], { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u1', controller: true, blockOwnerDeletion: true });
  });
});
