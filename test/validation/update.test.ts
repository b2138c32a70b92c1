import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateStatusUpdate, validateEphemeralContainersUpdate } from '../../src/api/validation/index.js';
import type { KubeObject } from '../../src/api/object.js';
import { fields, message, mut, pod, stored, updateErrors, workload, podTemplate } from './helpers.js';

interface UpdateCase { name: string; prev: Record<string, unknown>; change: (o: Record<string, any>) => void; wantFields: string[] }

function updateTable(title: string, cases: UpdateCase[]): void {
  for (const c of cases) {
    test(`${title}: ${c.name}`, () => {
      const prev = stored(c.prev);
      const next = mut(prev, c.change);
      const errs = updateErrors(next, prev);
      assert.deepEqual(fields(errs), [...c.wantFields].sort(), errs.map(e => e.toString()).join('\n'));
    });
  }
}

const p = pod();
const deploy = workload('Deployment');
const sts = workload('StatefulSet');
const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j1', namespace: 'default' }, spec: { template: mut(podTemplate(), t => { t.spec.restartPolicy = 'Never'; }) } };
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } };
const sec = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { a: 'eA==' }, immutable: true };
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: 'x' }, immutable: true };

updateTable('metadata', [
  { name: 'labels may change', prev: p, change: o => { o.metadata.labels = { a: 'b' }; }, wantFields: [] },
  { name: 'name is immutable', prev: p, change: o => { o.metadata.name = 'p2'; }, wantFields: ['metadata.name'] },
  { name: 'namespace is immutable', prev: p, change: o => { o.metadata.namespace = 'other'; }, wantFields: ['metadata.namespace'] },
  { name: 'uid is immutable', prev: p, change: o => { o.metadata.uid = 'other'; }, wantFields: ['metadata.uid'] },
  { name: 'creationTimestamp is immutable', prev: p, change: o => { o.metadata.creationTimestamp = '2030-01-01T00:00:00Z'; }, wantFields: ['metadata.creationTimestamp'] },
  { name: 'resourceVersion required', prev: p, change: o => { delete o.metadata.resourceVersion; }, wantFields: ['metadata.resourceVersion'] },
]);

updateTable('pod', [
  { name: 'image may change', prev: p, change: o => { o.spec.containers[0].image = 'busybox:1.37'; }, wantFields: [] },
  { name: 'env may not change', prev: p, change: o => { o.spec.containers[0].env = [{ name: 'A', value: 'b' }]; }, wantFields: ['spec'] },
  { name: 'containers may not be added', prev: p, change: o => { o.spec.containers.push({ ...o.spec.containers[0], name: 'b' }); }, wantFields: ['spec.containers'] },
  { name: 'activeDeadlineSeconds may be set', prev: p, change: o => { o.spec.activeDeadlineSeconds = 30; }, wantFields: [] },
  { name: 'activeDeadlineSeconds may not grow', prev: mut(p, o => { o.spec.activeDeadlineSeconds = 30; }), change: o => { o.spec.activeDeadlineSeconds = 60; }, wantFields: ['spec.activeDeadlineSeconds'] },
  { name: 'tolerations may be added', prev: p, change: o => { o.spec.tolerations.push({ key: 'k', operator: 'Exists' }); }, wantFields: [] },
  { name: 'tolerations may not be removed', prev: p, change: o => { o.spec.tolerations = []; }, wantFields: ['spec.tolerations'] },
]);

updateTable('workloads', [
  { name: 'deployment replicas and template may change', prev: deploy, change: o => { o.spec.replicas = 5; o.spec.template.spec.containers[0].image = 'nginx'; }, wantFields: [] },
  { name: 'deployment selector is immutable', prev: deploy, change: o => { o.spec.selector.matchLabels.tier = 'web'; o.spec.template.metadata.labels.tier = 'web'; }, wantFields: ['spec.selector'] },
  { name: 'statefulset serviceName is immutable', prev: sts, change: o => { o.spec.serviceName = 'other'; }, wantFields: ['spec'] },
  { name: 'statefulset replicas may change', prev: sts, change: o => { o.spec.replicas = 3; }, wantFields: [] },
  { name: 'job template is immutable', prev: job, change: o => { o.spec.template.spec.containers[0].image = 'nginx'; }, wantFields: ['spec.template'] },
  { name: 'job selector is immutable', prev: job, change: o => { o.spec.selector.matchLabels.extra = 'x'; }, wantFields: ['spec.selector', 'spec.template.metadata.labels'] },
  { name: 'suspended job may change scheduling directives', prev: mut(job, o => { o.spec.suspend = true; }), change: o => { o.spec.template.spec.nodeSelector = { zone: 'a' }; }, wantFields: [] },
  { name: 'job parallelism may change', prev: job, change: o => { o.spec.parallelism = 3; }, wantFields: [] },
  { name: 'job completions are immutable', prev: job, change: o => { o.spec.completions = 3; }, wantFields: ['spec.completions'] },
]);

updateTable('service / config', [
  { name: 'clusterIP may not change', prev: svc, change: o => { o.spec.clusterIP = '10.96.0.11'; o.spec.clusterIPs = ['10.96.0.11']; }, wantFields: ['spec.clusterIPs[0]'] },
  { name: 'ports may change', prev: svc, change: o => { o.spec.ports[0].port = 8080; }, wantFields: [] },
  { name: 'immutable secret data', prev: sec, change: o => { o.data.a = 'eQ=='; }, wantFields: ['data'] },
  { name: 'immutable secret stays immutable', prev: sec, change: o => { o.immutable = false; }, wantFields: ['immutable'] },
  { name: 'secret type is immutable', prev: mut(sec, o => { delete o.immutable; }), change: o => { o.type = 'kubernetes.io/tls'; o.data = { 'tls.crt': 'eA==', 'tls.key': 'eA==' }; }, wantFields: ['type'] },
  { name: 'immutable configmap data', prev: cm, change: o => { o.data.a = 'y'; }, wantFields: ['data'] },
  { name: 'mutable configmap', prev: mut(cm, o => { delete o.immutable; }), change: o => { o.data.a = 'y'; }, wantFields: [] },
]);

test('update messages match kube-apiserver', () => {
  const prev = stored(p);
  const errs = updateErrors(mut(prev, o => { o.spec.containers[0].env = [{ name: 'A', value: 'b' }]; }), prev);
  assert.ok(message(errs, 'spec').startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,' +
    '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
    '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), message(errs, 'spec'));
  const dprev = stored(deploy);
  const derrs = updateErrors(mut(dprev, o => { o.spec.selector.matchLabels = { app: 'x', tier: 'web' }; o.spec.template.metadata.labels.tier = 'web'; }), dprev);
  assert.equal(message(derrs, 'spec.selector'),
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
  const sprev = stored(sec);
  assert.equal(message(updateErrors(mut(sprev, o => { o.data.a = 'eQ=='; }), sprev), 'data'), 'data: Forbidden: field is immutable when `immutable` is set');
});

test('status updates', () => {
  const prev = stored(p);
  const ok = mut(prev, o => { o.status = { phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], hostIP: '192.168.1.2', hostIPs: [{ ip: '192.168.1.2' }] }; });
  assert.deepEqual(fields(validateStatusUpdate('Pod', ok as KubeObject, prev as KubeObject)), []);
  const bad = mut(prev, o => { o.status = { podIPs: [{ ip: 'x' }] }; o.spec.nodeName = 'n1'; });
  assert.deepEqual(fields(validateStatusUpdate('Pod', bad as KubeObject, prev as KubeObject)), ['status.nodeName', 'status.podIPs[0]']);
  const d = stored(deploy);
  const dbad = mut(d, o => { o.status = { replicas: 1, readyReplicas: 2 }; });
  assert.deepEqual(fields(validateStatusUpdate('Deployment', dbad as KubeObject, d as KubeObject)), ['status.readyReplicas']);
});

test('ephemeral containers may only be added', () => {
  const prev = stored(p);
  const next = mut(prev, o => { o.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', terminationMessagePolicy: 'File', imagePullPolicy: 'Always' }]; });
  assert.deepEqual(fields(validateEphemeralContainersUpdate(next as KubeObject, prev as KubeObject)), []);
  const removed = mut(next, o => { o.spec.ephemeralContainers = []; });
  assert.deepEqual(fields(validateEphemeralContainersUpdate(removed as KubeObject, next as KubeObject)), ['spec.ephemeralContainers']);
});
