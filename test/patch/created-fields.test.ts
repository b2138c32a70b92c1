/** The one-walk FieldsV1 of a create equals compare → trackable → toFieldsV1 (the general path). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createdFieldsV1 } from '../../src/api/patch/created-fields.js';
import { body, ignoredTopLevel, trackable } from '../../src/api/patch/managed-fields.js';
import { compare } from '../../src/api/patch/ssa-walk.js';
import { rootField } from '../../src/api/patch/schema.js';
import type { JsonObject } from '../../src/api/patch/json.js';
import { applyDefaults } from '../../src/api/defaults/index.js';
import { container as c, deployment, pod } from './helpers.js';

type J = Record<string, any>;

function general(obj: J, apiVersion: string, subresource?: string): JsonObject | undefined {
  const ignored = ignoredTopLevel(apiVersion, obj.kind, subresource);
  const cmp = compare(undefined, body(obj as JsonObject), rootField(obj.kind));
  const set = trackable(cmp.modified.union(cmp.added), ignored);
  return set.isEmpty() ? undefined : set.toFieldsV1();
}

function same(obj: J, apiVersion = 'v1', subresource?: string): void {
  const got = createdFieldsV1(body(obj as JsonObject), obj.kind, ignoredTopLevel(apiVersion, obj.kind, subresource));
  const want = general(obj, apiVersion, subresource);
  // Key order too: the stored bytes should not depend on which path wrote them.
  assert.equal(JSON.stringify(got), JSON.stringify(want), JSON.stringify(obj));
}

const richPod = (): J => pod({
  initContainers: [c('init', 'busybox', { command: ['true'], restartPolicy: 'Always' })],
  containers: [
    c('a', 'nginx', {
      ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', name: 'dns' }],
      env: [{ name: 'E', value: '1' }, { name: 'E', value: '2' }, { name: 'F', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } },
      securityContext: {}, volumeMounts: [{ name: 'v', mountPath: '/v' }], args: null,
    }),
    c('b'),
  ],
  volumes: [{ name: 'v', emptyDir: {} }, { name: 'cm', configMap: { name: 'x', items: [{ key: 'k', path: 'p' }] } }],
  tolerations: [{ key: 't', operator: 'Exists' }], nodeSelector: { disk: 'ssd' }, affinity: {},
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
}, {
  labels: { app: 'p' }, annotations: { a: 'b' }, finalizers: ['x/y', 'x/z'], generateName: 'p-', uid: 'u', resourceVersion: '5',
  ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
  managedFields: [], creationTimestamp: '2024-01-01T00:00:00Z',
});

test('createdFieldsV1: hand-made objects of several kinds, raw and defaulted', () => {
  const objs: J[] = [
    richPod(),
    { ...richPod(), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } },
    pod({ containers: [c('x')] }),
    deployment({ containers: [c('web', 'nginx', { ports: [{ containerPort: 80 }] })] }, { replicas: 3 }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'a' }, ports: [{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP' }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '' }, binaryData: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [c('j')], restartPolicy: 'Never' } } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels: { a: 'b' } }, spec: { finalizers: ['kubernetes'] } },
    { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'u' }, spec: { list: [1, 2, { a: null }], m: {} } },
  ];
  for (const o of objs) {
    const av = String(o.apiVersion);
    same(o, av);
    same(applyDefaults(o.kind, av, structuredClone(o) as never, { operation: 'create', uid: 'u' }), av);
    same(o, av, 'status');
  }
});

test('createdFieldsV1: randomly pruned and grown pods', () => {
  let seed = 11;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const values = () => [null, {}, [], 'x', 3, [{ name: 'q' }], { k: 'v' }][rnd(7)];
  // Visit every object/array node and sometimes delete a key or add an odd value.
  const mutate = (v: any): void => {
    if (Array.isArray(v)) { v.forEach(mutate); if (rnd(6) === 0) v.push(structuredClone(v[0] ?? values())); return; }
    if (!v || typeof v !== 'object') return;
    for (const k of Object.keys(v)) {
      const r = rnd(12);
      if (r === 0) delete v[k];
      else if (r === 1) v[k] = values();
      else mutate(v[k]);
    }
    if (rnd(8) === 0) v[`extra${rnd(3)}`] = values();
  };
  for (let i = 0; i < 300; i++) {
    const o = applyDefaults('Pod', 'v1', richPod() as never, { operation: 'create', uid: 'u' }) as J;
    mutate(o.spec);
    mutate(o.metadata);
    o.kind = 'Pod';
    same(o);
  }
});
