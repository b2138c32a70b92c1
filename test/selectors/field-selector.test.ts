import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import { RESOURCES, type ResourceInfo } from '../../src/api/resources.js';
import { parseFieldSelector } from '../../src/api/selectors/index.js';

function res(group: string, plural: string): ResourceInfo {
  const ri = RESOURCES.find(r => r.group === group && r.plural === plural);
  assert.ok(ri, `${group}/${plural}`);
  return ri;
}
const pods = res('', 'pods');

const pod: KubeObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'prod' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', containers: [] },
  status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
};

describe('parseFieldSelector on pods', () => {
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['metadata.name=web-1', true],
    ['metadata.name==web-1', true],
    ['metadata.name!=web-1', false],
    ['metadata.namespace=prod,spec.nodeName=n1', true],
    ['spec.nodeName=n2', false],
    ['spec.nodeName=', false],
    ['status.nominatedNodeName=', true],
    ['spec.hostNetwork=false', true],
    ['spec.restartPolicy=Always,spec.schedulerName=default-scheduler', true],
    ['spec.serviceAccountName!=default', false],
    ['status.phase!=Running', false],
    ['status.phase=Running,status.podIP=10.0.0.5', true],
    ['spec.host=n1', true],
    [',metadata.name=web-1,', true],
  ];
  for (const [sel, want] of cases) {
    it(JSON.stringify(sel), () => assert.equal(parseFieldSelector(pods, sel).matches(pod), want));
  }
  it('reports the exact name, namespace and node it pins', () => {
    const f = parseFieldSelector(pods, 'spec.host=n1,metadata.namespace=prod,metadata.name=web-1,status.phase!=Failed');
    assert.equal(f.exact('metadata.name'), 'web-1');
    assert.equal(f.exact('metadata.namespace'), 'prod');
    assert.equal(f.exact('spec.nodeName'), 'n1');
    assert.equal(f.exact('status.phase'), undefined);
    assert.equal(f.toString(), 'metadata.name=web-1,metadata.namespace=prod,spec.nodeName=n1,status.phase!=Failed');
  });
  it('unescapes values', () => {
    const f = parseFieldSelector(pods, 'metadata.name=a\\,b\\=c\\\\d');
    assert.equal(f.exact('metadata.name'), 'a,b=c\\d');
    assert.equal(f.matches({ metadata: { name: 'a,b=c\\d' } }), true);
    assert.equal(f.toString(), 'metadata.name=a\\,b\\=c\\\\d');
  });
});

describe('parseFieldSelector per resource', () => {
  const cases: Array<[string, string, string, KubeObject, boolean]> = [
    ['', 'nodes', 'spec.unschedulable=true', { metadata: { name: 'n' }, spec: { unschedulable: true } }, true],
    ['', 'nodes', 'spec.unschedulable=false', { metadata: { name: 'n' }, spec: {} }, true],
    ['', 'namespaces', 'status.phase=Terminating', { metadata: { name: 'ns' }, status: { phase: 'Active' } }, false],
    ['', 'secrets', 'type=kubernetes.io/tls', { metadata: { name: 's' }, type: 'kubernetes.io/tls' }, true],
    ['', 'services', 'spec.type=NodePort,spec.clusterIP=10.96.0.10', { metadata: { name: 's' }, spec: { type: 'NodePort', clusterIP: '10.96.0.10' } }, true],
    ['', 'replicationcontrollers', 'status.replicas=0', { metadata: { name: 'rc' }, status: {} }, true],
    ['apps', 'replicasets', 'status.replicas=3', { metadata: { name: 'rs' }, status: { replicas: 3 } }, true],
    ['batch', 'jobs', 'status.successful=1', { metadata: { name: 'j' }, status: { succeeded: 1 } }, true],
    ['', 'events', 'involvedObject.kind=Pod,involvedObject.name=web-1,reason=Started,type=Normal,source=kubelet',
      { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web-1' }, reason: 'Started', type: 'Normal', source: { component: 'kubelet' } }, true],
    ['', 'events', 'reportingComponent=kubelet,source=kubelet', { metadata: { name: 'e' }, reportingComponent: 'kubelet' }, true],
    ['events.k8s.io', 'events', 'regarding.kind=Pod,reportingController=kubelet', { metadata: { name: 'e' }, regarding: { kind: 'Pod' }, reportingController: 'kubelet' }, true],
    ['apps', 'deployments', 'metadata.namespace=default', { metadata: { name: 'd', namespace: 'default' } }, true],
    ['', 'configmaps', 'metadata.name!=kube-root-ca.crt', { metadata: { name: 'kube-root-ca.crt' } }, false],
    ['scheduling.k8s.io', 'priorityclasses', 'metadata.namespace=', { metadata: { name: 'pc' } }, true],
  ];
  for (const [group, plural, sel, obj, want] of cases) {
    it(`${plural}.${group}: ${sel}`, () => assert.equal(parseFieldSelector(res(group, plural), sel).matches(obj), want));
  }
});

describe('parseFieldSelector: upstream errors (400 BadRequest)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['', 'pods', 'foo=bar', 'field label not supported: foo'],
    ['', 'pods', 'metadata.name = x', 'field label not supported: metadata.name '],
    ['', 'pods', 'constructor=x', 'field label not supported: constructor'],
    ['events.k8s.io', 'events', 'toString=x', 'field label not supported: toString'],
    ['', 'nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['', 'namespaces', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['events.k8s.io', 'events', 'involvedObject.kind=Pod', 'field label not supported: involvedObject.kind'],
    ['batch', 'jobs', 'spec.parallelism=1', 'field label "spec.parallelism" not supported for batchv1.Job'],
    ['apps', 'deployments', 'spec.replicas=1', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['', 'pods', 'metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['', 'pods', 'foo=1,bar', "invalid selector: 'foo=1,bar'; can't understand 'bar'"],
    ['', 'pods', 'metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['', 'pods', 'metadata.name=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
    ['', 'pods', 'metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
    // terms are sorted before conversion: "a..." is reported before "z..."
    ['', 'pods', 'zeta=1,alpha=2', 'field label not supported: alpha'],
  ];
  for (const [group, plural, sel, message] of cases) {
    it(`${plural}: ${JSON.stringify(sel)}`, () => {
      assert.throws(() => parseFieldSelector(res(group, plural), sel), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, 'BadRequestError');
        assert.equal(e.message, message);
        assert.equal((e as { httpStatus?: number }).httpStatus, 400);
        return true;
      });
    });
  }
});
