import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults, prepareForUpdate } from '../../src/api/defaults/index.js';
import type { KubeObject } from '../../src/api/object.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
const UID = 'a0b1c2d3-0000-4000-8000-000000000002';

function get(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v === undefined || v === null ? undefined : (v as Obj)[k]), o);
}

const run = (o: Obj, ctx: Obj = { uid: UID, operation: 'create' }): Obj =>
  applyDefaults(String(o.kind), String(o.apiVersion), o as KubeObject, ctx) as Obj;

interface Case { name: string; obj: Obj; want: Record<string, unknown>; absent?: string[]; ctx?: Obj }

function table(title: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${title}: ${c.name}`, () => {
      const out = run(c.obj, c.ctx);
      for (const [path, v] of Object.entries(c.want)) assert.deepEqual(get(out, path), v, path);
      for (const path of c.absent ?? []) assert.equal(get(out, path), undefined, `${path} should be unset`);
    });
  }
}

const ctr = (image: string, extra: Obj = {}): Obj => ({ name: 'c', image, ...extra });
const pod = (spec: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [ctr('nginx')], ...spec } });
const tpl = (spec: Obj = {}): Obj => ({ metadata: { labels: { app: 'x' } }, spec: { containers: [ctr('nginx:1.27')], ...spec } });

table('pod', [
  {
    name: 'spec defaults and admission',
    obj: pod(),
    want: {
      'spec.restartPolicy': 'Always', 'spec.dnsPolicy': 'ClusterFirst', 'spec.schedulerName': 'default-scheduler',
      'spec.terminationGracePeriodSeconds': 30, 'spec.securityContext': {}, 'spec.enableServiceLinks': true,
      'spec.serviceAccountName': 'default', 'spec.serviceAccount': 'default', 'spec.priority': 0, 'spec.preemptionPolicy': 'PreemptLowerPriority',
      'spec.tolerations': [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  },
  { name: 'no admission on update', obj: pod(), ctx: { operation: 'update' }, want: {}, absent: ['spec.serviceAccountName', 'spec.priority', 'spec.tolerations'] },
  { name: 'existing wildcard toleration', obj: pod({ tolerations: [{ operator: 'Exists' }] }), want: { 'spec.tolerations': [{ operator: 'Exists' }] } },
  {
    name: 'container defaults',
    obj: pod({ containers: [ctr('nginx', { ports: [{ containerPort: 80 }] })] }),
    want: {
      'spec.containers.0.terminationMessagePath': '/dev/termination-log', 'spec.containers.0.terminationMessagePolicy': 'File',
      'spec.containers.0.imagePullPolicy': 'Always', 'spec.containers.0.ports.0.protocol': 'TCP',
    },
  },
  { name: 'tagged image pulls IfNotPresent', obj: pod({ containers: [ctr('nginx:1.27')] }), want: { 'spec.containers.0.imagePullPolicy': 'IfNotPresent' } },
  { name: ':latest pulls Always', obj: pod({ containers: [ctr('registry:5000/nginx:latest')] }), want: { 'spec.containers.0.imagePullPolicy': 'Always' } },
  { name: 'registry port is not a tag', obj: pod({ containers: [ctr('registry:5000/nginx')] }), want: { 'spec.containers.0.imagePullPolicy': 'Always' } },
  { name: 'digest pulls IfNotPresent', obj: pod({ containers: [ctr('nginx@sha256:abc')] }), want: { 'spec.containers.0.imagePullPolicy': 'IfNotPresent' } },
  { name: 'explicit pull policy kept', obj: pod({ containers: [ctr('nginx', { imagePullPolicy: 'Never' })] }), want: { 'spec.containers.0.imagePullPolicy': 'Never' } },
  {
    name: 'probes',
    obj: pod({ containers: [ctr('nginx', { livenessProbe: { httpGet: { port: 80 } }, readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 3 } })] }),
    want: {
      'spec.containers.0.livenessProbe': { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      'spec.containers.0.readinessProbe.periodSeconds': 3,
    },
  },
  {
    name: 'requests default to limits, canonical quantities',
    obj: pod({ containers: [ctr('nginx', { resources: { limits: { cpu: '0.5', memory: '1.5Gi' }, requests: { cpu: 0.25 } } })] }),
    want: { 'spec.containers.0.resources': { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '250m', memory: '1536Mi' } } },
  },
  {
    name: 'volumes',
    obj: pod({ volumes: [{ name: 'a' }, { name: 'b', secret: { secretName: 's' } }, { name: 'c', configMap: { name: 'c' } }, { name: 'd', hostPath: { path: '/x' } },
      { name: 'e', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }, { name: 'f', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }] }),
    want: {
      'spec.volumes.0.emptyDir': {}, 'spec.volumes.1.secret.defaultMode': 420, 'spec.volumes.2.configMap.defaultMode': 420,
      'spec.volumes.3.hostPath.type': '', 'spec.volumes.4.projected.defaultMode': 420,
      'spec.volumes.4.projected.sources.0.serviceAccountToken.expirationSeconds': 3600,
      'spec.volumes.5.downwardAPI.items.0.fieldRef.apiVersion': 'v1', 'spec.volumes.5.downwardAPI.defaultMode': 420,
    },
  },
  { name: 'hostNetwork fills hostPort', obj: pod({ hostNetwork: true, containers: [ctr('nginx', { ports: [{ containerPort: 8080 }] })] }), want: { 'spec.containers.0.ports.0.hostPort': 8080 } },
  { name: 'env fieldRef apiVersion', obj: pod({ containers: [ctr('nginx', { env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] }), want: { 'spec.containers.0.env.0.valueFrom.fieldRef.apiVersion': 'v1' } },
]);

table('workloads', [
  {
    name: 'deployment',
    obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl() } },
    want: {
      'spec.replicas': 1, 'spec.strategy': { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      'spec.revisionHistoryLimit': 10, 'spec.progressDeadlineSeconds': 600, 'spec.template.spec.restartPolicy': 'Always',
      'spec.template.spec.containers.0.imagePullPolicy': 'IfNotPresent',
    },
    absent: ['spec.template.spec.enableServiceLinks', 'spec.template.spec.serviceAccountName', 'spec.template.spec.priority', 'metadata.generation'],
  },
  { name: 'recreate deployment has no rollingUpdate', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' }, template: tpl() } }, want: { 'spec.strategy': { type: 'Recreate' } } },
  { name: 'replicaset', obj: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: tpl() } }, want: { 'spec.replicas': 1 } },
  {
    name: 'replicationcontroller selector and labels from template',
    obj: { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { template: tpl() } },
    want: { 'spec.replicas': 1, 'spec.selector': { app: 'x' }, 'metadata.labels': { app: 'x' } },
  },
  {
    name: 'statefulset',
    obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: tpl(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } },
    want: {
      'spec.replicas': 1, 'spec.podManagementPolicy': 'OrderedReady', 'spec.updateStrategy': { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      'spec.revisionHistoryLimit': 10, 'spec.persistentVolumeClaimRetentionPolicy': { whenDeleted: 'Retain', whenScaled: 'Retain' },
      'spec.volumeClaimTemplates.0.spec.volumeMode': 'Filesystem', 'spec.volumeClaimTemplates.0.status.phase': 'Pending',
    },
  },
  {
    name: 'daemonset',
    obj: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template: tpl() } },
    want: { 'spec.updateStrategy': { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, 'spec.revisionHistoryLimit': 10 },
  },
  {
    name: 'job with generated selector',
    obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: { spec: { containers: [ctr('perl')], restartPolicy: 'Never' } } } },
    want: {
      'spec.completions': 1, 'spec.parallelism': 1, 'spec.backoffLimit': 6, 'spec.completionMode': 'NonIndexed', 'spec.suspend': false,
      'spec.manualSelector': false, 'spec.podReplacementPolicy': 'TerminatingOrFailed',
      'spec.selector': { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
      'spec.template.metadata.labels': { 'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': UID, 'job-name': 'pi' },
      'metadata.labels': { 'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': UID, 'job-name': 'pi' },
    },
  },
  { name: 'job parallelism alone leaves completions unset', obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 3, template: tpl() } }, want: { 'spec.parallelism': 3 }, absent: ['spec.completions'] },
  { name: 'job manual selector untouched', obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: tpl() } }, want: { 'spec.selector': { matchLabels: { app: 'x' } }, 'spec.template.metadata.labels': { app: 'x' } } },
  { name: 'job with a resourceVersion is an update: no selector generated', ctx: { uid: UID }, obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', resourceVersion: '5' }, spec: { template: tpl() } }, want: {}, absent: ['spec.selector'] },
  {
    name: 'cronjob',
    obj: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tpl() } } } },
    want: { 'spec.concurrencyPolicy': 'Allow', 'spec.suspend': false, 'spec.successfulJobsHistoryLimit': 3, 'spec.failedJobsHistoryLimit': 1, 'spec.jobTemplate.spec.template.spec.dnsPolicy': 'ClusterFirst' },
    absent: ['spec.jobTemplate.spec.backoffLimit', 'spec.jobTemplate.spec.selector'],
  },
]);

table('service', [
  {
    name: 'ClusterIP',
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
    want: {
      'spec.type': 'ClusterIP', 'spec.sessionAffinity': 'None', 'spec.ports.0': { port: 80, protocol: 'TCP', targetPort: 80 },
      'spec.ipFamilyPolicy': 'SingleStack', 'spec.ipFamilies': ['IPv4'], 'spec.internalTrafficPolicy': 'Cluster',
    },
    absent: ['spec.externalTrafficPolicy', 'spec.clusterIP', 'spec.nodePort'],
  },
  {
    name: 'NodePort and LoadBalancer',
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 'http' }] } },
    want: { 'spec.externalTrafficPolicy': 'Cluster', 'spec.allocateLoadBalancerNodePorts': true, 'spec.ports.0.targetPort': 'http' },
  },
  {
    name: 'clusterIP mirrored to clusterIPs',
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None', selector: { app: 'x' }, ports: [{ port: 80 }] } },
    want: { 'spec.clusterIPs': ['None'], 'spec.ipFamilyPolicy': 'SingleStack', 'spec.ipFamilies': ['IPv4'] },
  },
  {
    name: 'selector-less headless service asks for both families',
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None' } },
    want: { 'spec.ipFamilyPolicy': 'RequireDualStack', 'spec.ipFamilies': ['IPv4', 'IPv6'] },
  },
  {
    name: 'ClientIP affinity timeout',
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } },
    want: { 'spec.sessionAffinityConfig': { clientIP: { timeoutSeconds: 10800 } } },
  },
  {
    name: 'ExternalName has no families',
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
    want: {}, absent: ['spec.ipFamilies', 'spec.ipFamilyPolicy', 'spec.internalTrafficPolicy'],
  },
]);

table('other kinds', [
  { name: 'namespace', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, want: { 'metadata.labels': { 'kubernetes.io/metadata.name': 'team' }, 'spec.finalizers': ['kubernetes'] } },
  { name: 'namespace update keeps finalizers as sent', ctx: { uid: UID }, obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', resourceVersion: '3' } }, want: { 'metadata.labels': { 'kubernetes.io/metadata.name': 'team' } }, absent: ['spec'] },
  { name: 'pvc', obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: '1024Mi' } } } }, want: { 'spec.volumeMode': 'Filesystem', 'spec.resources.requests.storage': '1Gi' } },
  { name: 'pv', obj: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { hostPath: { path: '/d' } } }, want: { 'spec.persistentVolumeReclaimPolicy': 'Retain', 'spec.volumeMode': 'Filesystem', 'spec.hostPath.type': '' } },
  {
    name: 'secret type and stringData',
    obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hello' } },
    want: { type: 'Opaque', data: { a: 'eA==', b: 'aGVsbG8=' } }, absent: ['stringData'],
  },
  { name: 'endpoints port protocol', obj: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }, want: { 'subsets.0.ports.0.protocol': 'TCP' } },
  { name: 'endpointslice port', obj: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', ports: [{ port: 80 }] }, want: { 'ports.0': { port: 80, name: '', protocol: 'TCP' } } },
  { name: 'node allocatable from capacity', obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8192Mi' } } }, want: { 'status.allocatable': { cpu: '4', memory: '8Gi' } } },
  {
    name: 'limitrange container defaults',
    obj: { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } },
    want: { 'spec.limits.0.default': { cpu: '2' }, 'spec.limits.0.defaultRequest': { cpu: '2', memory: '64Mi' } },
  },
  { name: 'priorityclass', obj: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 5 }, want: { preemptionPolicy: 'PreemptLowerPriority' } },
]);

test('defaults: the input object is not modified', () => {
  const input = pod();
  const before = JSON.stringify(input);
  run(input);
  assert.equal(JSON.stringify(input), before);
});

test('defaults: idempotent', () => {
  const once = run(pod({ volumes: [{ name: 'v' }] }));
  assert.deepEqual(run(once), once);
});

test('prepareForUpdate: a Service keeps allocated IPs and node ports', () => {
  const old = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] } };
  const next = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } };
  const out = prepareForUpdate('Service', next as KubeObject, old as KubeObject) as Obj;
  assert.equal(out.spec.clusterIP, '10.96.0.5');
  assert.deepEqual(out.spec.clusterIPs, ['10.96.0.5']);
  assert.equal(out.spec.ports[0].nodePort, 30080);
  const ns = prepareForUpdate('Namespace', { kind: 'Namespace', spec: { finalizers: [] } } as KubeObject, { kind: 'Namespace', spec: { finalizers: ['kubernetes'] } } as KubeObject) as Obj;
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
});
