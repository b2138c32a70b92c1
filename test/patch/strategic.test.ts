import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch, fieldAt } from '../../src/api/patch/index.js';
import { assertFails, container as c, deepFreeze, type WantError } from './helpers.js';

type J = Record<string, unknown>;
const podSpec = (spec: J): J => ({ spec });
const names = (...ns: string[]): J[] => ns.map(n => ({ name: n }));
const meta = (m: J): J => ({ metadata: m });

interface Case { name: string; kind?: string; original: J; patch: unknown; want?: J; err?: WantError }

const cases: Case[] = [
  // Maps and nulls behave as in a JSON merge patch.
  { name: 'null deletes a key', original: meta({ labels: { a: '1', b: '2' } }), patch: meta({ labels: { a: null } }),
    want: meta({ labels: { b: '2' } }) },
  { name: 'map merges', original: meta({ labels: { a: '1' } }), patch: meta({ labels: { b: '2' } }), want: meta({ labels: { a: '1', b: '2' } }) },
  { name: '$patch: replace on a map', original: meta({ labels: { a: '1', b: '2' } }), patch: meta({ labels: { c: '3', $patch: 'replace' } }),
    want: meta({ labels: { c: '3' } }) },
  { name: '$patch: delete on a map empties it', original: podSpec({ securityContext: { runAsUser: 1 } }),
    patch: podSpec({ securityContext: { $patch: 'delete' } }), want: podSpec({ securityContext: {} }) },
  { name: '$patch: merge on a map is a plain merge', original: meta({ labels: { a: '1' } }), patch: meta({ labels: { $patch: 'merge', b: '2' } }),
    want: meta({ labels: { a: '1', b: '2' } }) },

  // Lists with the merge strategy merge by key; order rules from upstream's tests.
  { name: 'containers merge by name', original: podSpec({ containers: [c('a', 'x'), c('b', 'y')] }),
    patch: podSpec({ containers: [{ name: 'b', image: 'z' }] }), want: podSpec({ containers: [c('a', 'x'), c('b', 'z')] }) },
  { name: 'a new item goes first (no $setElementOrder)', original: podSpec({ containers: [c('a')] }),
    patch: podSpec({ containers: [c('n')] }), want: podSpec({ containers: [c('n'), c('a')] }) },
  { name: 'patch order wins for patched items', original: podSpec({ containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] }),
    patch: podSpec({ containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', args: ['x'] }] }),
    want: podSpec({ containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', image: 'b', args: ['x'] }] }) },
  { name: 'server-only items interleave by live order', original: podSpec({ containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] }),
    patch: podSpec({ containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }] }),
    want: podSpec({ containers: [{ name: '2', image: 'b' }, { name: '3', image: 'c' }, { name: '1', image: 'a' }] }) },
  { name: '$patch: delete removes an item', original: podSpec({ containers: [c('a'), c('b')] }),
    patch: podSpec({ containers: [{ name: 'a', $patch: 'delete' }] }), want: podSpec({ containers: [c('b')] }) },
  { name: '$patch: delete removes duplicates too', original: podSpec({ containers: [c('a'), c('a'), c('b')] }),
    patch: podSpec({ containers: [{ name: 'a', $patch: 'delete' }] }), want: podSpec({ containers: [c('b')] }) },
  { name: '$patch: replace in a list', original: podSpec({ containers: [c('a'), c('b')] }),
    patch: podSpec({ containers: [c('n'), { $patch: 'replace' }] }), want: podSpec({ containers: [c('n')] }) },
  { name: '$patch: replace alone empties the list', original: podSpec({ containers: [c('a')] }),
    patch: podSpec({ containers: [{ $patch: 'replace' }] }), want: podSpec({ containers: [] }) },
  { name: 'nested merge: env by name', original: podSpec({ containers: [c('a', 'x', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] })] }),
    patch: podSpec({ containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }] }] }),
    want: podSpec({ containers: [c('a', 'x', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }] })] }) },
  { name: 'ports merge by containerPort', original: podSpec({ containers: [c('a', 'x', { ports: [{ containerPort: 80, name: 'http' }] })] }),
    patch: podSpec({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }] }),
    want: podSpec({ containers: [c('a', 'x', { ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] })] }) },
  { name: 'volumeMounts by mountPath, volumes by name', original: podSpec({ volumes: [{ name: 'v', emptyDir: {} }], containers: [c('a', 'x', { volumeMounts: [{ name: 'v', mountPath: '/d' }] })] }),
    patch: podSpec({ volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }], containers: [{ name: 'a', volumeMounts: [{ mountPath: '/d', readOnly: true }] }] }),
    want: podSpec({ volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }], containers: [c('a', 'x', { volumeMounts: [{ name: 'v', mountPath: '/d', readOnly: true }] })] }) },
  { name: 'tolerations are replaced', original: podSpec({ tolerations: [{ key: 'k1' }] }), patch: podSpec({ tolerations: [{ key: 'k2' }] }),
    want: podSpec({ tolerations: [{ key: 'k2' }] }) },
  { name: 'args (no strategy) are replaced', original: podSpec({ containers: [c('a', 'x', { args: ['1', '2'] })] }),
    patch: podSpec({ containers: [{ name: 'a', args: ['3'] }] }), want: podSpec({ containers: [c('a', 'x', { args: ['3'] })] }) },
  { name: 'ownerReferences merge by uid', original: meta({ ownerReferences: [{ uid: 'u1', name: 'a' }] }),
    patch: meta({ ownerReferences: [{ uid: 'u2', name: 'b' }] }), want: meta({ ownerReferences: [{ uid: 'u2', name: 'b' }, { uid: 'u1', name: 'a' }] }) },
  { name: 'new item cleaned of nulls and directives', original: podSpec({}),
    patch: podSpec({ containers: [{ name: 'a', image: null, env: [{ name: 'X', $patch: 'delete' }, { name: 'Y' }] }] }),
    want: podSpec({ containers: [{ name: 'a', env: [{ name: 'Y' }] }] }) },
  { name: 'Service ports merge by port', kind: 'Service', original: { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, want: { spec: { ports: [{ port: 80, targetPort: 9090 }] } } },
  { name: 'CronJob reaches PodSpec through jobTemplate', kind: 'CronJob',
    original: { spec: { jobTemplate: { spec: { template: { spec: { containers: [c('a'), c('b')] } } } } } },
    patch: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'v2' }] } } } } } },
    want: { spec: { jobTemplate: { spec: { template: { spec: { containers: [c('a'), c('b', 'v2')] } } } } } } },
  { name: 'unknown kinds replace lists', kind: 'Widget', original: { spec: { containers: [c('a'), c('b')] } },
    patch: { spec: { containers: [c('b', 'v2')] } }, want: { spec: { containers: [c('b', 'v2')] } } },

  // Primitive lists with the merge strategy (finalizers) are sets.
  { name: 'finalizers union', original: meta({ finalizers: ['a', 'b'] }), patch: meta({ finalizers: ['b', 'c'] }), want: meta({ finalizers: ['a', 'b', 'c'] }) },
  { name: 'finalizers keep patch order', original: meta({ finalizers: ['1', '2', '3'] }), patch: meta({ finalizers: ['3', '1'] }),
    want: meta({ finalizers: ['2', '3', '1'] }) },
  { name: '$deleteFromPrimitiveList', original: meta({ finalizers: ['a', 'b', 'c'] }), patch: meta({ '$deleteFromPrimitiveList/finalizers': ['b'] }),
    want: meta({ finalizers: ['a', 'c'] }) },
  { name: '$deleteFromPrimitiveList on an absent list', original: meta({}), patch: meta({ '$deleteFromPrimitiveList/finalizers': ['b'] }), want: meta({}) },
  { name: '$setElementOrder on primitives', original: meta({ finalizers: ['1', '3'] }), patch: meta({ '$setElementOrder/finalizers': ['3', '2', '1'] }),
    want: meta({ finalizers: ['3', '1'] }) },

  // $setElementOrder on maps.
  { name: '$setElementOrder with a changed item keeps order', original: podSpec({ containers: [c('a', 'x'), c('b', 'x')] }),
    patch: podSpec({ '$setElementOrder/containers': names('a', 'b'), containers: [{ name: 'b', image: 'y' }] }),
    want: podSpec({ containers: [c('a', 'x'), c('b', 'y')] }) },
  { name: '$setElementOrder reorders', original: podSpec({ containers: [c('a'), c('b'), c('c')] }),
    patch: podSpec({ '$setElementOrder/containers': names('c', 'a', 'b') }), want: podSpec({ containers: [c('c'), c('a'), c('b')] }) },
  { name: '$setElementOrder names an absent item', original: podSpec({ containers: [{ name: '1' }, { name: '3' }] }),
    patch: podSpec({ '$setElementOrder/containers': names('3', '2', '1'), containers: [{ name: '3', image: '3' }, { name: '1', image: '1' }] }),
    want: podSpec({ containers: [{ name: '3', image: '3' }, { name: '1', image: '1' }] }) },
  { name: '$setElementOrder on a list the original lacks', original: podSpec({}),
    patch: podSpec({ '$setElementOrder/containers': names('b', 'a'), containers: [c('b'), c('a')] }), want: podSpec({ containers: [c('b'), c('a')] }) },
  { name: '$setElementOrder disagreeing with the patch list', original: podSpec({ containers: [c('a'), c('b')] }),
    patch: podSpec({ '$setElementOrder/containers': names('a', 'b'), containers: [c('b'), c('a')] }), err: { status: 400, message: /doesn't match \$setElementOrder list/ } },

  // $retainKeys (Deployment strategy).
  { name: '$retainKeys clears unlisted keys', kind: 'Deployment',
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } }, want: { spec: { strategy: { type: 'Recreate' } } } },
  { name: '$retainKeys must list every patched key', kind: 'Deployment', original: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } }, err: { status: 400, message: 'invalid patch format of retainKeys' } },
  { name: '$retainKeys must be a list', kind: 'Deployment', original: { spec: { strategy: {} } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } }, err: { status: 400, message: 'invalid patch format of retainKeys' } },

  // Malformed patches.
  { name: 'missing merge key', original: podSpec({ containers: [c('a')] }), patch: podSpec({ containers: [{ image: 'x' }] }),
    err: { status: 400, message: /does not contain declared merge key: name/ } },
  { name: 'unknown $patch on a map', original: meta({}), patch: meta({ labels: { $patch: 'frob' } }), err: { status: 400, message: /unknown patch type/ } },
  { name: '$patch: merge in a list', original: podSpec({ containers: [c('a')] }), patch: podSpec({ containers: [{ $patch: 'merge' }] }),
    err: { status: 400, message: 'merging lists cannot yet be specified in the patch' } },
  { name: 'lists of lists are 422', original: meta({ finalizers: [] }), patch: meta({ finalizers: [['a']] }),
    err: { status: 422, message: 'the server rejected our request due to an error in our request' } },
  { name: 'bad $deleteFromPrimitiveList key', original: meta({}), patch: meta({ $deleteFromPrimitiveList: ['a'] }),
    err: { status: 400, message: 'invalid patch format of primitive list' } },
  { name: 'bad $setElementOrder key', original: meta({}), patch: meta({ $setElementOrder: [] }),
    err: { status: 400, message: 'invalid patch format of setElementOrder list' } },
  { name: 'array body', original: {}, patch: [], err: { status: 400, message: /cannot unmarshal array/ } },
];

for (const t of cases) {
  test(`strategic: ${t.name}`, () => {
    const ctx = { kind: t.kind ?? 'Pod', apiVersion: 'v1' };
    const original = deepFreeze(structuredClone(t.original));
    const patch = deepFreeze(structuredClone(t.patch));
    if (t.err) {
      assertFails(() => applyPatch('strategic', original, patch, ctx), t.err);
      return;
    }
    assert.deepEqual(applyPatch('strategic', original, patch, ctx), t.want);
  });
}

test('strategic: one type table serves every kind', () => {
  const containers = ['Pod:spec.containers', 'Deployment:spec.template.spec.containers', 'StatefulSet:spec.template.spec.containers',
    'DaemonSet:spec.template.spec.containers', 'ReplicaSet:spec.template.spec.containers', 'Job:spec.template.spec.containers',
    'CronJob:spec.jobTemplate.spec.template.spec.containers', 'PodTemplate:template.spec.initContainers'];
  for (const kp of containers) {
    const [kind, path] = kp.split(':');
    assert.equal(fieldAt(kind, path)?.mergeKey, 'name', kp);
  }
  assert.equal(fieldAt('Deployment', 'spec.template.spec.containers[].ports')?.mergeKey, 'containerPort');
  assert.equal(fieldAt('Pod', 'spec.volumes')?.retainKeys, true);
  assert.equal(fieldAt('Deployment', 'spec.strategy')?.retainKeys, true);
  assert.equal(fieldAt('Service', 'spec.ports')?.mergeKey, 'port');
  assert.equal(fieldAt('Pod', 'status.conditions')?.mergeKey, 'type');
  assert.equal(fieldAt('Pod', 'spec.tolerations'), undefined);
  assert.equal(fieldAt('Widget', 'metadata.finalizers')?.smp, 'merge');
});
