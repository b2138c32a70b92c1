/**
 * Patches shaped exactly as kubectl sends them (see reference/kubectl-wire.md), applied
 * to a live Deployment or Pod through the public applyPatch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch, type PatchType } from '../../src/api/patch/index.js';
import { container as c, deepFreeze, deployment, DEPLOY, pod, POD } from './helpers.js';

type J = Record<string, unknown>;
const env = (...kv: [string, string][]): J[] => kv.map(([name, value]) => ({ name, value }));
const live = deepFreeze(deployment({
  containers: [c('web', 'nginx:1.25', { env: env(['A', '1'], ['B', '2']), ports: [{ containerPort: 80, protocol: 'TCP' }] }), c('sidecar', 'busybox')],
}, { metadata: { labels: { app: 'd' }, finalizers: ['example.com/a', 'example.com/b'] } }));
const tpl = (spec: J, metadata?: J): J => ({ spec: { template: metadata ? { metadata, spec } : { spec } } });

/** `live` with `fn` applied to a copy. */
function edited(fn: (d: any) => void): J {
  const d = structuredClone(live) as any;
  fn(d);
  return d;
}

interface Case { name: string; type: PatchType; original?: J; patch: unknown; want: J; ctx?: { kind: string; apiVersion: string } }

const cases: Case[] = [
  { name: 'apply: changed image with $setElementOrder touches only that container', type: 'strategic',
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n' } },
      spec: tpl({ '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.26', name: 'web' }] }).spec,
    },
    want: edited(d => {
      d.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n' };
      d.spec.template.spec.containers[0].image = 'nginx:1.26';
    }) },
  { name: 'apply: container removed from the manifest', type: 'strategic',
    patch: tpl({ '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'sidecar' }] }),
    want: edited(d => { d.spec.template.spec.containers.pop(); }) },
  { name: 'apply: env var removed and one added, order from the manifest', type: 'strategic',
    patch: tpl({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
      containers: [{ '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }], env: [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'B' }], name: 'web' }],
    }),
    want: edited(d => { d.spec.template.spec.containers[0].env = env(['C', '3'], ['A', '1']); }) },
  { name: 'apply: containers reordered', type: 'strategic',
    patch: tpl({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] }),
    want: edited(d => { d.spec.template.spec.containers.reverse(); }) },
  { name: 'apply: finalizer dropped from the manifest', type: 'strategic',
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'], '$setElementOrder/finalizers': ['example.com/b'] } },
    want: edited(d => { d.metadata.finalizers = ['example.com/b']; }) },
  { name: 'apply: strategy switched to Recreate', type: 'strategic',
    original: edited(d => { d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }; }),
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    want: edited(d => { d.spec.strategy = { type: 'Recreate' }; }) },
  { name: 'apply: volume source switched ($retainKeys in a list item)', type: 'strategic',
    original: edited(d => { d.spec.template.spec.volumes = [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }]; }),
    patch: tpl({ '$setElementOrder/volumes': [{ name: 'v' }, { name: 'w' }], volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, name: 'v' }] }),
    want: edited(d => { d.spec.template.spec.volumes = [{ name: 'v', configMap: { name: 'cm' } }, { name: 'w', emptyDir: {} }]; }) },
  { name: 'edit: replicas, a label and a limit', type: 'strategic',
    patch: { metadata: { labels: { tier: 'web' } }, spec: { replicas: 4, ...tpl({ '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'web', resources: { limits: { cpu: '500m' } } }] }).spec as J } },
    want: edited(d => {
      d.metadata.labels.tier = 'web';
      d.spec.replicas = 4;
      d.spec.template.spec.containers[0].resources = { limits: { cpu: '500m' } };
    }) },
  { name: 'set image on the second container keeps order', type: 'strategic',
    patch: tpl({ containers: [{ image: 'busybox:1.36', name: 'sidecar' }] }),
    want: edited(d => { d.spec.template.spec.containers[1].image = 'busybox:1.36'; }) },
  { name: 'set image on the first container keeps order', type: 'strategic',
    patch: tpl({ containers: [{ image: 'nginx:1.27', name: 'web' }] }),
    want: edited(d => { d.spec.template.spec.containers[0].image = 'nginx:1.27'; }) },
  { name: 'rollout restart stamps the template', type: 'strategic',
    patch: tpl({}, { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' } }),
    want: edited(d => { d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' }; }) },
  { name: 'set env adds a variable', type: 'strategic',
    patch: tpl({ containers: [{ env: [{ name: 'D', value: '4' }], name: 'web' }] }),
    want: edited(d => { d.spec.template.spec.containers[0].env = [{ name: 'D', value: '4' }, ...env(['A', '1'], ['B', '2'])]; }) },
  { name: 'label (merge patch)', type: 'merge', patch: { metadata: { labels: { env: 'prod' } } },
    want: edited(d => { d.metadata.labels.env = 'prod'; }) },
  { name: 'label key- (merge patch)', type: 'merge', patch: { metadata: { labels: { app: null } } },
    want: edited(d => { d.metadata.labels = {}; }) },
  { name: 'annotate (merge patch)', type: 'merge', patch: { metadata: { annotations: { note: 'hi' } } },
    want: edited(d => { d.metadata.annotations = { note: 'hi' }; }) },
  { name: 'patch --type merge replaces a list', type: 'merge', patch: { spec: { template: { spec: { containers: [c('only')] } } } },
    want: edited(d => { d.spec.template.spec.containers = [c('only')]; }) },
  { name: 'patch --type json', type: 'json', patch: [{ op: 'replace', path: '/spec/replicas', value: 2 }, { op: 'remove', path: '/spec/template/spec/containers/1' }],
    want: edited(d => { d.spec.replicas = 2; d.spec.template.spec.containers.pop(); }) },
];

for (const t of cases) {
  test(`kubectl ${t.name}`, () => {
    assert.deepEqual(applyPatch(t.type, t.original ?? live, deepFreeze(t.patch), t.ctx ?? DEPLOY), t.want);
  });
}

test('kubectl edit of a Pod: image and a toleration list', () => {
  const p = deepFreeze(pod({ containers: [c('a', 'x')], tolerations: [{ key: 'k', operator: 'Exists' }] }));
  const patch = { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ image: 'y', name: 'a' }], tolerations: [] } };
  assert.deepEqual(applyPatch('strategic', p, patch, POD), pod({ containers: [c('a', 'y')], tolerations: [] }));
});
