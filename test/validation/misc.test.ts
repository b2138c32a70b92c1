import { createTable, mut, podTemplate } from './helpers.js';

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } };
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1.example.com' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } } };
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.properties': 'a=b', KEY: 'v' } };
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' }, data: { password: 'c2VjcmV0' } };
const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/data' } } };
const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } } };
const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 };
const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } };
const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'p1.1234', namespace: 'default' }, involvedObject: { kind: 'Pod', apiVersion: 'v1', name: 'p1', namespace: 'default' }, reason: 'Started', message: 'ok', type: 'Normal' };
const evNew = {
  apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'p1.5678', namespace: 'default' },
  regarding: { kind: 'Pod', apiVersion: 'v1', name: 'p1', namespace: 'default' }, reason: 'Started', note: 'ok', type: 'Normal',
  eventTime: '2025-01-01T00:00:00.000000Z', reportingController: 'kubeling.io/kubelet', reportingInstance: 'node-1', action: 'Start',
};
const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'default' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' } }] } };
const rq = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard: { pods: '10', 'requests.cpu': '4' } } };
const pt = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt', namespace: 'default' }, template: podTemplate() };
const cr = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'cr', namespace: 'default' }, data: {}, revision: 1 };
const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'default' } };

createTable('namespace / node', [
  { name: 'namespace valid', obj: ns, wantFields: [] },
  { name: 'namespace names are DNS labels', obj: mut(ns, o => { o.metadata.name = 'team.a'; }), wantFields: ['metadata.name'] },
  { name: 'namespace is not namespaced', obj: mut(ns, o => { o.metadata.namespace = 'default'; }), wantFields: ['metadata.namespace'] },
  { name: 'namespace finalizer names', obj: mut(ns, o => { o.spec = { finalizers: ['custom'] }; }), wantFields: ['spec.finalizers[0]'] },
  { name: 'node valid', obj: node, wantFields: [] },
  { name: 'node bad CIDR', obj: mut(node, o => { o.spec.podCIDRs = ['10.244.1.0']; }), wantFields: ['spec.podCIDRs[0]'] },
  { name: 'node taint effect', obj: mut(node, o => { o.spec.taints = [{ key: 'k', effect: 'Never' }]; }), wantFields: ['metadata.taints[0].effect'] },
  { name: 'node duplicate taints', obj: mut(node, o => { o.spec.taints = [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', value: 'v', effect: 'NoSchedule' }]; }), wantFields: ['metadata.taints[1]'] },
  { name: 'node pods must be whole', obj: mut(node, o => { o.status.capacity.pods = '1.5'; }), wantFields: ['status.allocatable.pods', 'status.capacity.pods'] },
]);

createTable('configmap / secret / serviceaccount', [
  { name: 'configmap valid', obj: cm, wantFields: [] },
  { name: 'configmap bad key', obj: mut(cm, o => { o.data['a/b'] = 'x'; }), wantFields: ['data[a/b]'] },
  { name: 'configmap key in both maps', obj: mut(cm, o => { o.binaryData = { KEY: 'AAEC' }; }), wantFields: ['data[KEY]'] },
  { name: 'configmap too big', obj: mut(cm, o => { o.data.big = 'x'.repeat(1048577); }), wantFields: [''] },
  { name: 'secret valid', obj: secret, wantFields: [] },
  { name: 'secret stringData', obj: mut(secret, o => { o.stringData = { user: 'admin' }; }), wantFields: [] },
  { name: 'secret bad key', obj: mut(secret, o => { o.data['..x'] = 'eA=='; }), wantFields: ['data[..x]'] },
  { name: 'tls secret needs both keys', obj: mut(secret, o => { o.type = 'kubernetes.io/tls'; o.data = { 'tls.crt': 'eA==' }; }), wantFields: ['data[tls.key]'] },
  { name: 'basic-auth needs a field', obj: mut(secret, o => { o.type = 'kubernetes.io/basic-auth'; o.data = {}; }), wantFields: ['data[password]', 'data[username]'] },
  { name: 'dockerconfigjson must be JSON', obj: mut(secret, o => { o.type = 'kubernetes.io/dockerconfigjson'; o.data = { '.dockerconfigjson': 'bm90IGpzb24=' }; }), wantFields: ['data[.dockerconfigjson]'] },
  { name: 'service account token secret', obj: mut(secret, o => { o.type = 'kubernetes.io/service-account-token'; }), wantFields: ['metadata.annotations[kubernetes.io/service-account.name]'] },
  { name: 'serviceaccount valid', obj: sa, wantFields: [] },
]);

createTable('storage', [
  { name: 'pvc valid', obj: pvc, wantFields: [] },
  { name: 'pvc access modes required', obj: mut(pvc, o => { o.spec.accessModes = []; }), wantFields: ['spec.accessModes'] },
  { name: 'pvc bad access mode', obj: mut(pvc, o => { o.spec.accessModes = ['ReadWriteSometimes']; }), wantFields: ['spec.accessModes'] },
  { name: 'pvc storage required', obj: mut(pvc, o => { o.spec.resources = {}; }), wantFields: ['spec.resources[storage]'] },
  { name: 'pvc storage positive', obj: mut(pvc, o => { o.spec.resources.requests.storage = '0'; }), wantFields: ['spec.resources[storage]'] },
  { name: 'pvc RWOP alone', obj: mut(pvc, o => { o.spec.accessModes = ['ReadWriteOncePod', 'ReadOnlyMany']; }), wantFields: ['spec.accessModes'] },
  { name: 'pv valid', obj: pv, wantFields: [] },
  { name: 'pv needs a source', obj: mut(pv, o => { delete o.spec.hostPath; }), wantFields: ['spec'] },
  { name: 'pv capacity only storage', obj: mut(pv, o => { o.spec.capacity.cpu = '1'; }), wantFields: ['spec.capacity'] },
  { name: 'pv local needs node affinity', obj: mut(pv, o => { delete o.spec.hostPath; o.spec.local = { path: '/mnt/disk' }; }), wantFields: ['spec.nodeAffinity'] },
  { name: 'pv reclaim policy', obj: mut(pv, o => { o.spec.persistentVolumeReclaimPolicy = 'Keep'; }), wantFields: ['spec.persistentVolumeReclaimPolicy'] },
]);

createTable('policy / scheduling / coordination / events', [
  { name: 'pdb valid', obj: pdb, wantFields: [] },
  { name: 'pdb both set', obj: mut(pdb, o => { o.spec.maxUnavailable = 1; }), wantFields: ['spec'] },
  { name: 'pdb percent', obj: mut(pdb, o => { o.spec.minAvailable = '150%'; }), wantFields: ['spec.minAvailable'] },
  { name: 'priorityclass valid', obj: pc, wantFields: [] },
  { name: 'priorityclass value cap', obj: mut(pc, o => { o.value = 2000000000; }), wantFields: ['value'] },
  { name: 'priorityclass system prefix', obj: mut(pc, o => { o.metadata.name = 'system-mine'; }), wantFields: ['metadata.name'] },
  { name: 'priorityclass preemptionPolicy', obj: mut(pc, o => { o.preemptionPolicy = 'Always'; }), wantFields: ['preemptionPolicy'] },
  { name: 'lease valid', obj: lease, wantFields: [] },
  { name: 'lease duration positive', obj: mut(lease, o => { o.spec.leaseDurationSeconds = 0; }), wantFields: ['spec.leaseDurationSeconds'] },
  { name: 'core event valid', obj: ev, wantFields: [] },
  { name: 'core event namespace mismatch', obj: mut(ev, o => { o.involvedObject.namespace = 'other'; }), wantFields: ['involvedObject.namespace'] },
  { name: 'core event for cluster-scoped object', obj: mut(ev, o => { o.involvedObject = { kind: 'Node', apiVersion: 'v1', name: 'n1' }; }), wantFields: [] },
  { name: 'core event namespace must be default', obj: mut(ev, o => { o.metadata.namespace = 'kube-system'; o.involvedObject = { kind: 'Node', apiVersion: 'v1', name: 'n1' }; }), wantFields: ['involvedObject.namespace'] },
  { name: 'core event namespaced kind needs namespace', obj: mut(ev, o => { delete o.involvedObject.namespace; }), wantFields: ['involvedObject.namespace'] },
  { name: 'events.k8s.io event valid', obj: evNew, wantFields: [] },
  { name: 'events.k8s.io event needs eventTime and action', obj: mut(evNew, o => { delete o.eventTime; delete o.action; }), wantFields: ['eventTime'] },
  { name: 'events.k8s.io event needs reportingController', obj: mut(evNew, o => { delete o.reportingController; }), wantFields: ['reportingController'] },
  { name: 'events.k8s.io event type', obj: mut(evNew, o => { o.type = 'Info'; }), wantFields: ['type'] },
]);

createTable('limitrange / quota / podtemplate / controllerrevision', [
  { name: 'limitrange valid', obj: lr, wantFields: [] },
  { name: 'limitrange min above max', obj: mut(lr, o => { o.spec.limits[0].min.cpu = '3'; }), wantFields: ['spec.limits[0].default[cpu]', 'spec.limits[0].defaultRequest[cpu]', 'spec.limits[0].min[cpu]'] },
  { name: 'limitrange type', obj: mut(lr, o => { o.spec.limits[0].type = 'Cluster'; }), wantFields: ['spec.limits[0].type'] },
  { name: 'quota valid', obj: rq, wantFields: [] },
  { name: 'quota unknown resource', obj: mut(rq, o => { o.spec.hard.widgets = '1'; }), wantFields: ['spec.hard[widgets]'] },
  { name: 'quota pods must be whole', obj: mut(rq, o => { o.spec.hard.pods = '500m'; }), wantFields: ['spec.hard[pods]'] },
  { name: 'quota conflicting scopes', obj: mut(rq, o => { o.spec.hard = { pods: '1' }; o.spec.scopes = ['BestEffort', 'NotBestEffort']; }), wantFields: ['spec.scopes'] },
  { name: 'podtemplate valid', obj: pt, wantFields: [] },
  { name: 'podtemplate container image', obj: mut(pt, o => { o.template.spec.containers[0].image = ''; }), wantFields: ['template.spec.containers[0].image'] },
  { name: 'controllerrevision valid', obj: cr, wantFields: [] },
  { name: 'controllerrevision data required', obj: mut(cr, o => { delete o.data; }), wantFields: ['data'] },
]);
