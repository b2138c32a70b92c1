import assert from 'node:assert/strict';
import { test } from 'node:test';
import { container, createErrors, createTable, message, mut, pod } from './helpers.js';

const base = pod();
const c0 = 'spec.containers[0]';

createTable('pod metadata', [
  { name: 'valid pod', obj: base, wantFields: [] },
  { name: 'name required', obj: mut(base, o => { delete o.metadata.name; }), wantFields: ['metadata.name'] },
  { name: 'generateName is enough', obj: mut(base, o => { delete o.metadata.name; o.metadata.generateName = 'p-'; o.metadata.name = 'p-abcde'; }), wantFields: [] },
  { name: 'bad generateName', obj: mut(base, o => { o.metadata.generateName = 'P_'; }), wantFields: ['metadata.generateName'] },
  { name: 'pod names are DNS subdomains', obj: mut(base, o => { o.metadata.name = 'a.b-c'; }), wantFields: [] },
  { name: 'uppercase name', obj: mut(base, o => { o.metadata.name = 'Web'; }), wantFields: ['metadata.name'] },
  { name: 'namespace required', obj: mut(base, o => { delete o.metadata.namespace; }), wantFields: ['metadata.namespace'] },
  { name: 'bad namespace', obj: mut(base, o => { o.metadata.namespace = 'a.b'; }), wantFields: ['metadata.namespace'] },
  { name: 'bad label key', obj: mut(base, o => { o.metadata.labels = { 'a/b/c': 'x' }; }), wantFields: ['metadata.labels'] },
  { name: 'bad label value', obj: mut(base, o => { o.metadata.labels = { app: '-x' }; }), wantFields: ['metadata.labels'] },
  { name: 'long label value', obj: mut(base, o => { o.metadata.labels = { app: 'x'.repeat(64) }; }), wantFields: ['metadata.labels'] },
  { name: 'annotation key case-insensitive', obj: mut(base, o => { o.metadata.annotations = { 'Example.COM/Key': 'v' }; }), wantFields: [] },
  { name: 'annotations too big', obj: mut(base, o => { o.metadata.annotations = { a: 'x'.repeat(262145) }; }), wantFields: ['metadata.annotations'] },
  { name: 'unqualified finalizer', obj: mut(base, o => { o.metadata.finalizers = ['custom']; }), wantFields: ['metadata.finalizers[0]'] },
  { name: 'owner reference fields', obj: mut(base, o => { o.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: '', name: 'x', uid: '' }]; }), wantFields: ['metadata.ownerReferences.kind', 'metadata.ownerReferences.uid'] },
]);

const AA = 'container.apparmor.security.beta.kubernetes.io/';
createTable('pod annotations', [
  { name: 'AppArmor annotation for an existing container', obj: mut(base, o => { o.metadata.annotations = { [`${AA}app`]: 'runtime/default' }; }), wantFields: [] },
  { name: 'AppArmor annotation for an init container', obj: mut(base, o => { o.spec.initContainers = [container('init')]; o.metadata.annotations = { [`${AA}init`]: 'localhost/p' }; }), wantFields: [] },
  { name: 'AppArmor annotation for a missing container', obj: mut(base, o => { o.metadata.annotations = { [`${AA}nope`]: 'unconfined' }; }), wantFields: [`metadata.annotations[${AA}nope]`] },
  { name: 'bad AppArmor profile', obj: mut(base, o => { o.metadata.annotations = { [`${AA}app`]: 'weird' }; }), wantFields: [`metadata.annotations[${AA}app]`] },
  { name: 'pod-deletion-cost must be an int32', obj: mut(base, o => { o.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': '1.5' }; }), wantFields: ['metadata.annotations[controller.kubernetes.io/pod-deletion-cost]'] },
  { name: 'mirror pod annotation needs nodeName', obj: mut(base, o => { o.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' }; }), wantFields: ['metadata.annotations[kubernetes.io/config.mirror]'] },
]);

createTable('pod containers', [
  { name: 'containers required', obj: mut(base, o => { o.spec.containers = []; }), wantFields: ['spec.containers'] },
  { name: 'image required', obj: mut(base, o => { delete o.spec.containers[0].image; }), wantFields: [`${c0}.image`] },
  { name: 'image whitespace', obj: mut(base, o => { o.spec.containers[0].image = ' busybox'; }), wantFields: [`${c0}.image`] },
  { name: 'container name is a DNS label', obj: mut(base, o => { o.spec.containers[0].name = 'a.b'; }), wantFields: [`${c0}.name`] },
  { name: 'container name required', obj: mut(base, o => { o.spec.containers[0].name = ''; }), wantFields: [`${c0}.name`] },
  { name: 'duplicate container names', obj: mut(base, o => { o.spec.containers.push(container('app')); }), wantFields: ['spec.containers[1].name'] },
  { name: 'init name collides with container', obj: mut(base, o => { o.spec.initContainers = [container('app')]; }), wantFields: ['spec.initContainers[0].name'] },
  { name: 'port out of range', obj: mut(base, o => { o.spec.containers[0].ports = [{ containerPort: 70000 }]; }), wantFields: [`${c0}.ports[0].containerPort`] },
  { name: 'port required', obj: mut(base, o => { o.spec.containers[0].ports = [{ name: 'http' }]; }), wantFields: [`${c0}.ports[0].containerPort`] },
  { name: 'duplicate port names', obj: mut(base, o => { o.spec.containers[0].ports = [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }]; }), wantFields: [`${c0}.ports[1].name`] },
  { name: 'bad port name', obj: mut(base, o => { o.spec.containers[0].ports = [{ name: 'HTTP', containerPort: 80 }]; }), wantFields: [`${c0}.ports[0].name`] },
  { name: 'bad protocol', obj: mut(base, o => { o.spec.containers[0].ports = [{ containerPort: 80, protocol: 'HTTP' }]; }), wantFields: [`${c0}.ports[0].protocol`] },
  { name: 'host port conflict', obj: mut(base, o => { o.spec.containers = [{ ...container('a'), ports: [{ containerPort: 80, hostPort: 8080 }] }, { ...container('b'), ports: [{ containerPort: 81, hostPort: 8080 }] }]; }), wantFields: ['spec.containers[1].ports[0].hostPort'] },
  { name: 'bad pull policy', obj: mut(base, o => { o.spec.containers[0].imagePullPolicy = 'Sometimes'; }), wantFields: [`${c0}.imagePullPolicy`] },
  { name: 'env name with = ', obj: mut(base, o => { o.spec.containers[0].env = [{ name: 'A=B', value: 'x' }]; }), wantFields: [`${c0}.env[0].name`] },
  { name: 'relaxed env names are fine', obj: mut(base, o => { o.spec.containers[0].env = [{ name: '1.weird-Name', value: 'x' }]; }), wantFields: [] },
  { name: 'env valueFrom and value', obj: mut(base, o => { o.spec.containers[0].env = [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]; }), wantFields: [`${c0}.env[0].valueFrom`] },
  { name: 'env fieldRef unsupported path', obj: mut(base, o => { o.spec.containers[0].env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }]; }), wantFields: [`${c0}.env[0].valueFrom.fieldRef.fieldPath`] },
  { name: 'env label subscript is fine', obj: mut(base, o => { o.spec.containers[0].env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }]; }), wantFields: [] },
  { name: 'env secretKeyRef key required', obj: mut(base, o => { o.spec.containers[0].env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }]; }), wantFields: [`${c0}.env[0].valueFrom.secretKeyRef.key`] },
  { name: 'envFrom needs a source', obj: mut(base, o => { o.spec.containers[0].envFrom = [{ prefix: 'X_' }]; }), wantFields: [`${c0}.envFrom`] },
  { name: 'requests above limits', obj: mut(base, o => { o.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }; }), wantFields: [`${c0}.resources.requests`] },
  { name: 'requests equal limits across units', obj: mut(base, o => { o.spec.containers[0].resources = { requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } }; }), wantFields: [] },
  { name: 'bad quantity', obj: mut(base, o => { o.spec.containers[0].resources = { limits: { memory: '1GB' } }; }), wantFields: [`${c0}.resources.limits[memory]`, `${c0}.resources.requests[memory]`] },
  { name: 'negative quantity', obj: mut(base, o => { o.spec.containers[0].resources = { requests: { cpu: '-1' } }; }), wantFields: [`${c0}.resources.requests[cpu]`] },
  { name: 'non-standard resource name', obj: mut(base, o => { o.spec.containers[0].resources = { requests: { gpu: '1' } }; }), wantFields: [`${c0}.resources.requests[gpu]`] },
  { name: 'extended resource must be whole and equal', obj: mut(base, o => { o.spec.containers[0].resources = { requests: { 'example.com/gpu': '500m' }, limits: { 'example.com/gpu': '1' } }; }), wantFields: [`${c0}.resources.requests`, `${c0}.resources.requests[example.com/gpu]`] },
  { name: 'container restartPolicy not allowed', obj: mut(base, o => { o.spec.containers[0].restartPolicy = 'Always'; }), wantFields: [`${c0}.restartPolicy`] },
  { name: 'sidecar init container', obj: mut(base, o => { o.spec.initContainers = [{ ...container('side'), restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } }]; }), wantFields: [] },
  { name: 'init restartPolicy only Always', obj: mut(base, o => { o.spec.initContainers = [{ ...container('init'), restartPolicy: 'OnFailure' }]; }), wantFields: ['spec.initContainers[0].restartPolicy'] },
  { name: 'probe on plain init container', obj: mut(base, o => { o.spec.initContainers = [{ ...container('init'), livenessProbe: { exec: { command: ['true'] } } }]; }), wantFields: ['spec.initContainers[0].livenessProbe'] },
]);

createTable('pod probes', [
  { name: 'probe needs a handler', obj: mut(base, o => { o.spec.containers[0].livenessProbe = { periodSeconds: 5 }; }), wantFields: [`${c0}.livenessProbe`] },
  { name: 'probe with two handlers', obj: mut(base, o => { o.spec.containers[0].readinessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 } }; }), wantFields: [`${c0}.readinessProbe.tcpSocket`] },
  { name: 'liveness successThreshold must be 1', obj: mut(base, o => { o.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, successThreshold: 2 }; }), wantFields: [`${c0}.livenessProbe.successThreshold`] },
  { name: 'readiness successThreshold may be 2', obj: mut(base, o => { o.spec.containers[0].readinessProbe = { exec: { command: ['true'] }, successThreshold: 2 }; }), wantFields: [] },
  { name: 'negative initialDelay', obj: mut(base, o => { o.spec.containers[0].readinessProbe = { httpGet: { port: 80 }, initialDelaySeconds: -1 }; }), wantFields: [`${c0}.readinessProbe.initialDelaySeconds`] },
  { name: 'httpGet bad named port', obj: mut(base, o => { o.spec.containers[0].readinessProbe = { httpGet: { port: 'Web_Port' } }; }), wantFields: [`${c0}.readinessProbe.httpGet.port`] },
  { name: 'exec needs a command', obj: mut(base, o => { o.spec.containers[0].startupProbe = { exec: {} }; }), wantFields: [`${c0}.startupProbe.exec.command`] },
  { name: 'preStop sleep too long', obj: mut(base, o => { o.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: 60 } } }; }), wantFields: [`${c0}.lifecycle.preStop.sleep`] },
]);

createTable('pod volumes', [
  { name: 'volumes and mounts', obj: mut(base, o => { o.spec.volumes = [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }]; o.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/cfg' }]; }), wantFields: [] },
  { name: 'volume without a source defaults to emptyDir', obj: mut(base, o => { o.spec.volumes = [{ name: 'v' }]; }), wantFields: [] },
  { name: 'duplicate volume names', obj: mut(base, o => { o.spec.volumes = [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }]; }), wantFields: ['spec.volumes[1].name'] },
  { name: 'two volume sources', obj: mut(base, o => { o.spec.volumes = [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }]; }), wantFields: ['spec.volumes[0].hostPath'] },
  { name: 'volume name is a DNS label', obj: mut(base, o => { o.spec.volumes = [{ name: 'V', emptyDir: {} }]; }), wantFields: ['spec.volumes[0].name'] },
  { name: 'mount of unknown volume', obj: mut(base, o => { o.spec.containers[0].volumeMounts = [{ name: 'nope', mountPath: '/x' }]; }), wantFields: [`${c0}.volumeMounts[0].name`] },
  { name: 'mountPath required and unique', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }]; o.spec.containers[0].volumeMounts = [{ name: 'a', mountPath: '/x' }, { name: 'b', mountPath: '/x' }]; }), wantFields: [`${c0}.volumeMounts[1].mountPath`] },
  { name: 'subPath with ..', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', emptyDir: {} }]; o.spec.containers[0].volumeMounts = [{ name: 'a', mountPath: '/x', subPath: '../etc' }]; }), wantFields: [`${c0}.volumeMounts.subPath`] },
  { name: 'hostPath needs a path and known type', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', hostPath: { path: '/x', type: 'Folder' } }]; }), wantFields: ['spec.volumes[0].hostPath.type'] },
  { name: 'secret needs secretName', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', secret: {} }]; }), wantFields: ['spec.volumes[0].secret.secretName'] },
  { name: 'bad defaultMode', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', configMap: { name: 'c', defaultMode: 1000 } }]; }), wantFields: ['spec.volumes[0].configMap.defaultMode'] },
  { name: 'item path absolute', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', configMap: { name: 'c', items: [{ key: 'k', path: '/abs' }] } }]; }), wantFields: ['spec.volumes[0].configMap.items[0].path'] },
  { name: 'pvc needs claimName', obj: mut(base, o => { o.spec.volumes = [{ name: 'a', persistentVolumeClaim: {} }]; }), wantFields: ['spec.volumes[0].persistentVolumeClaim.claimName'] },
]);

createTable('pod spec', [
  { name: 'bad restartPolicy', obj: mut(base, o => { o.spec.restartPolicy = 'Sometimes'; }), wantFields: ['spec.restartPolicy'] },
  { name: 'bad dnsPolicy', obj: mut(base, o => { o.spec.dnsPolicy = 'Cluster'; }), wantFields: ['spec.dnsPolicy'] },
  { name: 'dnsPolicy None needs dnsConfig', obj: mut(base, o => { o.spec.dnsPolicy = 'None'; }), wantFields: ['spec.dnsConfig'] },
  { name: 'activeDeadlineSeconds positive', obj: mut(base, o => { o.spec.activeDeadlineSeconds = 0; }), wantFields: ['spec.activeDeadlineSeconds'] },
  { name: 'hostname is a DNS label', obj: mut(base, o => { o.spec.hostname = 'a.b'; }), wantFields: ['spec.hostname'] },
  { name: 'nodeSelector values are label values', obj: mut(base, o => { o.spec.nodeSelector = { disk: 'fast ssd' }; }), wantFields: ['spec.nodeSelector'] },
  { name: 'toleration operator', obj: mut(base, o => { o.spec.tolerations = [{ key: 'k', operator: 'Near', effect: 'NoSchedule' }]; }), wantFields: ['spec.tolerations[0].operator'] },
  { name: 'tolerationSeconds needs NoExecute', obj: mut(base, o => { o.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]; }), wantFields: ['spec.tolerations[0].effect'] },
  { name: 'hostNetwork hostPort must match', obj: mut(base, o => { o.spec.hostNetwork = true; o.spec.containers[0].ports = [{ containerPort: 80, hostPort: 81 }]; }), wantFields: [`${c0}.ports[0].hostPort`] },
  { name: 'node affinity needs terms', obj: mut(base, o => { o.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }; }), wantFields: ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms'] },
  { name: 'pod anti-affinity topologyKey required', obj: mut(base, o => { o.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'b' } } }] } }; }), wantFields: ['spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey'] },
  { name: 'ephemeral containers not on create', obj: mut(base, o => { o.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]; }), wantFields: ['spec.ephemeralContainers'] },
  { name: 'bad serviceAccountName', obj: mut(base, o => { o.spec.serviceAccountName = 'Bad_SA'; }), wantFields: ['spec.serviceAccountName'] },
  { name: 'topology spread maxSkew', obj: mut(base, o => { o.spec.topologySpreadConstraints = [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }]; }), wantFields: ['spec.topologySpreadConstraints[0].maxSkew'] },
]);

test('pod: messages read like kube-apiserver', () => {
  const errs = createErrors(mut(base, o => { o.spec.containers.push(container('app')); o.spec.restartPolicy = 'Sometimes'; }));
  assert.equal(message(errs, 'spec.containers[1].name'), 'spec.containers[1].name: Duplicate value: "app"');
  assert.equal(message(errs, 'spec.restartPolicy'), 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
  const res = createErrors(mut(base, o => { o.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }; }));
  assert.equal(message(res, `${c0}.resources.requests`), `${c0}.resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`);
  const mount = createErrors(mut(base, o => { o.spec.containers[0].volumeMounts = [{ name: 'nope', mountPath: '/x' }]; }));
  assert.equal(message(mount, `${c0}.volumeMounts[0].name`), `${c0}.volumeMounts[0].name: Not found: "nope"`);
  assert.equal(mount[0].type as string, 'FieldValueNotFound');
});
