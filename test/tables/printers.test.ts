import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES } from '../../src/api/resources.js';
import { toTable } from '../../src/apiserver/tables/index.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const MIN = 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(3 * 24 * 60 * MIN), ...extra });

function table(group: string, plural: string, objects: object[]) {
  return toTable({ group, plural }, objects, { includeObject: 'None', now: NOW });
}
const headers = (group: string, plural: string) => table(group, plural, []).columnDefinitions.map(c => (c.priority ? `(${c.name})` : c.name));
const row = (group: string, plural: string, obj: object) => table(group, plural, [obj]).rows[0]!.cells;

describe('column headers as kube-apiserver prints them', () => {
  const cases: Array<[string, string, string[]]> = [
    ['apps', 'deployments', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', '(Containers)', '(Images)', '(Selector)']],
    ['apps', 'replicasets', ['Name', 'Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']],
    ['', 'replicationcontrollers', ['Name', 'Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']],
    ['apps', 'statefulsets', ['Name', 'Ready', 'Age', '(Containers)', '(Images)']],
    ['apps', 'daemonsets', ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', '(Containers)', '(Images)', '(Selector)']],
    ['batch', 'jobs', ['Name', 'Status', 'Completions', 'Duration', 'Age', '(Containers)', '(Images)', '(Selector)']],
    ['batch', 'cronjobs', ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', '(Containers)', '(Images)', '(Selector)']],
    ['', 'services', ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', '(Selector)']],
    ['', 'endpoints', ['Name', 'Endpoints', 'Age']],
    ['', 'nodes', ['Name', 'Status', 'Roles', 'Age', 'Version', '(Internal-IP)', '(External-IP)', '(OS-Image)', '(Kernel-Version)', '(Container-Runtime)']],
    ['', 'namespaces', ['Name', 'Status', 'Age']],
    ['', 'events', ['Last Seen', 'Type', 'Reason', 'Object', '(Subobject)', '(Source)', 'Message', '(First Seen)', '(Count)', '(Name)']],
    ['events.k8s.io', 'events', ['Last Seen', 'Type', 'Reason', 'Object', '(Subobject)', '(Source)', 'Message', '(First Seen)', '(Count)', '(Name)']],
    ['', 'configmaps', ['Name', 'Data', 'Age']],
    ['', 'secrets', ['Name', 'Type', 'Data', 'Age']],
    ['', 'serviceaccounts', ['Name', 'Secrets', 'Age']],
    ['', 'persistentvolumes', ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', '(VolumeMode)']],
    ['', 'persistentvolumeclaims', ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', '(VolumeMode)']],
    ['', 'podtemplates', ['Name', 'Containers', 'Images', 'Pod Labels']],
    ['', 'resourcequotas', ['Name', 'Request', 'Limit', 'Age']],
    ['', 'limitranges', ['Name', 'Created At']],
    ['coordination.k8s.io', 'leases', ['Name', 'Holder', 'Age']],
    ['discovery.k8s.io', 'endpointslices', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']],
    ['policy', 'poddisruptionbudgets', ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']],
    ['scheduling.k8s.io', 'priorityclasses', ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']],
    ['apps', 'controllerrevisions', ['Name', 'Controller', 'Revision', 'Age']],
  ];
  for (const [group, plural, want] of cases) it(`${plural}.${group}`, () => assert.deepEqual(headers(group, plural), want));
  it('every declared resource has a table', () => {
    for (const ri of RESOURCES) assert.ok(table(ri.group, ri.plural, []).columnDefinitions.some(c => c.format === 'name'), ri.plural);
  });
});

const containers = [{ name: 'web', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }];

describe('workload rows', () => {
  it('deployment READY 2/3', () => {
    assert.deepEqual(row('apps', 'deployments', {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers } } },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }), ['web', '2/3', 3, 2, '3d', 'web,log', 'nginx:1.25,busybox', 'app=web']);
  });
  it('deployment without status', () => {
    assert.deepEqual(row('apps', 'deployments', { metadata: meta('new'), spec: { replicas: 1, selector: {}, template: { spec: { containers: [] } } } }).slice(0, 4),
      ['new', '0/1', 0, 0]);
  });
  it('replicaset, replicationcontroller', () => {
    assert.deepEqual(row('apps', 'replicasets', {
      metadata: meta('web-5d8f'), spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } }, template: { spec: { containers } } },
      status: { replicas: 2, readyReplicas: 1 },
    }), ['web-5d8f', 2, 2, 1, '3d', 'web,log', 'nginx:1.25,busybox', 'app=web,pod-template-hash=5d8f']);
    assert.deepEqual(row('', 'replicationcontrollers', {
      metadata: meta('rc'), spec: { replicas: 1, selector: { b: '2', a: '1' }, template: { spec: { containers: [containers[0]] } } }, status: { replicas: 1 },
    }), ['rc', 1, 1, 0, '3d', 'web', 'nginx:1.25', 'a=1,b=2']);
  });
  it('statefulset and daemonset', () => {
    assert.deepEqual(row('apps', 'statefulsets', { metadata: meta('db'), spec: { replicas: 3, template: { spec: { containers } } }, status: { readyReplicas: 3 } }),
      ['db', '3/3', '3d', 'web,log', 'nginx:1.25,busybox']);
    assert.deepEqual(row('apps', 'daemonsets', {
      metadata: meta('agent'),
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['agent'] }] }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers } } },
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
    }), ['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '3d', 'web,log', 'nginx:1.25,busybox', 'app in (agent)']);
  });
  it('controllerrevision and podtemplate', () => {
    assert.deepEqual(row('apps', 'controllerrevisions', {
      metadata: meta('agent-7c9', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }), revision: 2,
    }), ['agent-7c9', 'daemonset.apps/agent', 2, '3d']);
    assert.deepEqual(row('apps', 'controllerrevisions', { metadata: meta('orphan'), revision: 1 })[1], '<none>');
    assert.deepEqual(row('', 'podtemplates', { metadata: meta('t'), template: { metadata: { labels: { app: 'x' } }, spec: { containers } } }),
      ['t', 'web,log', 'nginx:1.25,busybox', 'app=x']);
  });
});

describe('batch rows', () => {
  const job = (status: object, spec: object = {}, extra: Record<string, unknown> = {}) => row('batch', 'jobs', {
    metadata: meta('pi', extra), spec: { completions: 1, template: { spec: { containers: [containers[0]] } }, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, ...spec }, status,
  }).slice(0, 5);
  it('running, complete, failed, suspended, terminating', () => {
    assert.deepEqual(job({ startTime: ago(2 * MIN), active: 1 }), ['pi', 'Running', '0/1', '2m', '3d']);
    assert.deepEqual(job({ startTime: ago(10 * MIN), completionTime: ago(9 * MIN), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }),
      ['pi', 'Complete', '1/1', '60s', '3d']);
    assert.deepEqual(job({ conditions: [{ type: 'Failed', status: 'True' }] })[1], 'Failed');
    assert.deepEqual(job({ conditions: [{ type: 'Suspended', status: 'True' }] }, { suspend: true })[1], 'Suspended');
    assert.deepEqual(job({}, {}, { deletionTimestamp: ago(0) })[1], 'Terminating');
    assert.deepEqual(job({})[3], '');
  });
  it('completions without spec.completions', () => {
    assert.deepEqual(job({ succeeded: 1 }, { completions: undefined })[2], '1/1');
    assert.deepEqual(job({ succeeded: 2 }, { completions: undefined, parallelism: 3 })[2], '2/1 of 3');
    assert.deepEqual(job({ succeeded: 2 }, { completions: 5 })[2], '2/5');
  });
  it('cronjob', () => {
    const cj = (spec: object, status: object) => row('batch', 'cronjobs', {
      metadata: meta('hello'), spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [containers[0]] } } } }, ...spec }, status,
    });
    assert.deepEqual(cj({ suspend: false }, {}), ['hello', '*/5 * * * *', '<none>', 'False', 0, '<none>', '3d', 'web', 'nginx:1.25', '<none>']);
    assert.deepEqual(cj({ suspend: true, timeZone: 'Etc/UTC' }, { active: [{ name: 'hello-1' }], lastScheduleTime: ago(4 * MIN) }).slice(1, 6),
      ['*/5 * * * *', 'Etc/UTC', 'True', 1, '4m']);
  });
});

describe('service rows', () => {
  const svc = (spec: object, status: object = {}) => row('', 'services', { metadata: meta('web'), spec, status });
  it('NodePort with PORT(S) 80:30080/TCP', () => {
    assert.deepEqual(svc({
      type: 'NodePort', clusterIP: '10.43.0.12', clusterIPs: ['10.43.0.12'], selector: { app: 'web' },
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
    }), ['web', 'NodePort', '10.43.0.12', '<none>', '80:30080/TCP,53/UDP', '3d', 'app=web']);
  });
  it('ClusterIP, headless, LoadBalancer, ExternalName', () => {
    assert.deepEqual(svc({ type: 'ClusterIP', clusterIPs: ['10.43.0.1'], ports: [{ port: 443, protocol: 'TCP' }] }).slice(1, 5),
      ['ClusterIP', '10.43.0.1', '<none>', '443/TCP']);
    assert.deepEqual(svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }).slice(1, 5), ['ClusterIP', 'None', '<none>', '<none>']);
    assert.deepEqual(svc({ type: 'ClusterIP', clusterIPs: ['10.43.0.1'], externalIPs: ['1.2.3.4'] })[3], '1.2.3.4');
    assert.deepEqual(svc({ type: 'LoadBalancer', clusterIPs: ['10.43.0.2'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] })[3], '<pending>');
    assert.deepEqual(svc({ type: 'LoadBalancer', clusterIPs: ['10.43.0.2'] }, { loadBalancer: { ingress: [{ ip: '192.168.1.9' }, { hostname: 'lb.example.com' }] } })[3],
      '192.168.1.9,lb.example.com');
    assert.deepEqual(svc({ type: 'ExternalName', externalName: 'db.example.com' }).slice(1, 4), ['ExternalName', '<none>', 'db.example.com']);
  });
});

describe('endpoints and endpointslices', () => {
  it('endpoints: ip:port, + N more..., <none>', () => {
    const ep = (subsets: object[] | undefined) => row('', 'endpoints', { metadata: meta('web'), subsets })[1];
    assert.equal(ep(undefined), '<none>');
    assert.equal(ep([{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }], ports: [{ port: 8080 }] }]), '10.42.0.5:8080,10.42.0.6:8080');
    assert.equal(ep([{ addresses: [{ ip: 'a' }, { ip: 'b' }, { ip: 'c' }], ports: [{ port: 1 }, { port: 2 }] }]), 'a:1,b:1,c:1 + 3 more...');
    assert.equal(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]), '[fd00::1]:80');
    assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }] }]), '10.0.0.1');
  });
  it('endpointslices', () => {
    assert.deepEqual(row('discovery.k8s.io', 'endpointslices', {
      metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'metrics' }, {}],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
    }), ['web-abc', 'IPv4', '80,metrics,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '3d']);
    assert.deepEqual(row('discovery.k8s.io', 'endpointslices', { metadata: meta('e'), addressType: 'IPv4', endpoints: [] }).slice(2, 4), ['<unset>', '<unset>']);
  });
});

describe('cluster rows', () => {
  it('nodes: status, roles, version, wide', () => {
    assert.deepEqual(row('', 'nodes', {
      metadata: { name: 'n1', creationTimestamp: ago(5 * 60 * MIN), labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.31.0-kubeling', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'runc://1.1.5' },
      },
    }), ['n1', 'Ready,SchedulingDisabled', 'control-plane,master,worker', '5h', 'v1.31.0-kubeling', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'runc://1.1.5']);
    assert.deepEqual(row('', 'nodes', { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }).slice(1, 5),
      ['NotReady', '<none>', '<unknown>', '']);
    assert.equal(row('', 'nodes', { metadata: { name: 'n3' } })[1], 'Unknown');
  });
  it('namespaces, leases, priorityclasses, pdbs', () => {
    assert.deepEqual(row('', 'namespaces', { metadata: { name: 'kube-system', creationTimestamp: ago(30 * 1000) }, status: { phase: 'Active' } }), ['kube-system', 'Active', '30s']);
    assert.deepEqual(row('coordination.k8s.io', 'leases', { metadata: meta('n1'), spec: { holderIdentity: 'n1' } }), ['n1', 'n1', '3d']);
    assert.deepEqual(row('coordination.k8s.io', 'leases', { metadata: meta('free'), spec: {} })[1], '');
    assert.deepEqual(row('scheduling.k8s.io', 'priorityclasses', { metadata: { name: 'system-node-critical', creationTimestamp: ago(MIN) }, value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' }),
      ['system-node-critical', 2000001000, false, '60s', 'PreemptLowerPriority']);
    assert.deepEqual(row('policy', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }), ['pdb', '50%', 'N/A', 1, '3d']);
    assert.deepEqual(row('policy', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { maxUnavailable: 1 } }).slice(1, 4), ['N/A', '1', 0]);
  });
});

describe('event rows', () => {
  const core = {
    metadata: meta('web.17a'), involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
    reason: 'BackOff', message: 'Back-off restarting failed container\n', type: 'Warning', source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: ago(10 * MIN), lastTimestamp: ago(30 * 1000), count: 7,
  };
  it('core events', () => {
    assert.deepEqual(row('', 'events', core),
      ['30s', 'Warning', 'BackOff', 'pod/web', 'spec.containers{web}', 'kubelet, n1', 'Back-off restarting failed container', '10m', 7, 'web.17a']);
  });
  it('new-API singleton and series', () => {
    const single = { metadata: meta('e1'), involvedObject: { kind: 'Node' }, reason: 'Starting', type: 'Normal', eventTime: ago(2 * MIN), reportingComponent: 'kubeling', reportingInstance: 'n1' };
    assert.deepEqual(row('', 'events', single), ['2m', 'Normal', 'Starting', 'node', '', 'kubeling, n1', '', '2m', 1, 'e1']);
    const series = row('', 'events', { ...single, series: { count: 4, lastObservedTime: ago(5000) } });
    assert.deepEqual([series[0], series[8]], ['5s', 4]);
    assert.equal(row('', 'events', { metadata: meta('e0') })[0], '<unknown>');
  });
  it('events.k8s.io/v1 events print like core ones', () => {
    assert.deepEqual(row('events.k8s.io', 'events', {
      metadata: meta('web.17a'), regarding: core.involvedObject, reason: 'BackOff', note: 'Back-off restarting failed container', type: 'Warning',
      deprecatedSource: core.source, deprecatedFirstTimestamp: core.firstTimestamp, deprecatedLastTimestamp: core.lastTimestamp, deprecatedCount: 7,
      eventTime: null, reportingController: 'kubelet', reportingInstance: 'n1',
    }), row('', 'events', core));
  });
});

describe('config and storage rows', () => {
  it('configmaps, secrets, serviceaccounts', () => {
    assert.deepEqual(row('', 'configmaps', { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cfg', 3, '3d']);
    assert.deepEqual(row('', 'configmaps', { metadata: meta('empty') }), ['empty', 0, '3d']);
    assert.deepEqual(row('', 'secrets', { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }), ['tls', 'kubernetes.io/tls', 2, '3d']);
    assert.deepEqual(row('', 'serviceaccounts', { metadata: meta('default') }), ['default', 0, '3d']);
  });
  it('resourcequotas split requests and limits', () => {
    assert.deepEqual(row('', 'resourcequotas', {
      metadata: meta('q'), spec: { hard: { pods: '10' } },
      status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.memory': '1Gi' }, used: { pods: '3', 'limits.cpu': '500m' } },
    }), ['q', 'pods: 3/10, requests.memory: 0/1Gi', 'limits.cpu: 500m/2', '3d']);
  });
  it('persistentvolumes and claims', () => {
    assert.deepEqual(row('', 'persistentvolumes', {
      metadata: { name: 'pv1', creationTimestamp: ago(MIN) },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path', claimRef: { namespace: 'default', name: 'data' }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    }), ['pv1', '1Gi', 'RWO,RWX', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>', '', '60s', 'Filesystem']);
    assert.deepEqual(row('', 'persistentvolumeclaims', {
      metadata: meta('data'), spec: { volumeName: 'pv1', storageClassName: 'local-path', resources: { requests: { storage: '500Mi' } } },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    }), ['data', 'Bound', 'pv1', '1Gi', 'RWO', 'local-path', '<unset>', '3d', '<unset>']);
    assert.deepEqual(row('', 'persistentvolumeclaims', { metadata: meta('pending', { deletionTimestamp: ago(0) }), spec: {}, status: { phase: 'Pending' } }).slice(1, 6),
      ['Terminating', '', '', '', '']);
  });
  it('limitranges use the default Name / Created At table', () => {
    assert.deepEqual(row('', 'limitranges', { metadata: { name: 'lr', creationTimestamp: '2024-04-30T10:20:30.123456Z' } }), ['lr', '2024-04-30T10:20:30Z']);
  });
});
