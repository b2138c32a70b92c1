/** planSlices and desiredGroups as pure functions: tables of (service, pods, existing) → writes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { desiredGroups } from '../../src/controllers/endpointslice-compute.js';
import { newSlice, planSlices } from '../../src/controllers/endpointslice-plan.js';
import { computeSubsets } from '../../src/controllers/endpoints-subsets.js';

const svc: KubeObject = {
  metadata: { name: 's', namespace: 'n', uid: 'svc-uid' },
  spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
};

const pod = (name: string, ip: string, o: { ready?: boolean; port?: number; deleting?: boolean } = {}): KubeObject => ({
  metadata: { name, namespace: 'n', uid: `uid-${name}`, labels: { app: 'a' }, deletionTimestamp: o.deleting ? '2024-01-01T00:00:00Z' : undefined },
  spec: { containers: [{ name: 'c', ports: [{ name: 'web', containerPort: o.port ?? 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

const slice = (name: string, pods: KubeObject[]): KubeObject => {
  const g = [...desiredGroups(svc, pods).values()][0];
  const s = newSlice(svc, 'IPv4', g.ports, g.endpoints);
  s.metadata!.name = name;
  return s;
};

const ips = (s: KubeObject) => (s.endpoints as Array<{ addresses: string[] }>).map(e => e.addresses[0]);

describe('desiredGroups', () => {
  it('groups pods by resolved ports and sets conditions', () => {
    const g = [...desiredGroups(svc, [pod('a', '10.0.0.2'), pod('b', '10.0.0.10', { port: 9090 }), pod('c', '10.0.0.3', { ready: false }),
      pod('d', '10.0.0.4', { deleting: true })]).values()];
    assert.equal(g.length, 2);
    assert.deepEqual(g[0].endpoints.map(e => [e.addresses[0], e.conditions.ready, e.conditions.serving, e.conditions.terminating]), [
      ['10.0.0.2', true, true, false], ['10.0.0.3', false, false, false], ['10.0.0.4', false, true, true]]);
    assert.deepEqual(g[1].ports, [{ name: 'http', port: 9090, protocol: 'TCP', appProtocol: undefined }]);
  });

  it('Endpoints subsets drop terminating pods unless publishing not-ready ones', () => {
    const subsets = computeSubsets(svc, [pod('a', '10.0.0.2'), pod('d', '10.0.0.4', { deleting: true }), pod('c', '10.0.0.3', { ready: false })]);
    assert.deepEqual(subsets.map(s => [s.addresses?.map(a => a.ip), s.notReadyAddresses?.map(a => a.ip)]), [[['10.0.0.2'], ['10.0.0.3']]]);
  });
});

describe('planSlices', () => {
  const cases: Array<{ name: string; pods: KubeObject[]; existing: KubeObject[]; want: { create: string[][]; update: string[][]; del: string[] } }> = [
    { name: 'creates a slice', pods: [pod('a', '10.0.0.1')], existing: [], want: { create: [['10.0.0.1']], update: [], del: [] } },
    { name: 'no change, no write', pods: [pod('a', '10.0.0.1')], existing: [slice('s-1', [pod('a', '10.0.0.1')])], want: { create: [], update: [], del: [] } },
    {
      name: 'new endpoints fill the slice with room', pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2'), pod('c', '10.0.0.3')],
      existing: [slice('s-1', [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')])], want: { create: [['10.0.0.3']], update: [], del: [] },
    },
    {
      name: 'endpoints stay where they are', pods: [pod('b', '10.0.0.2'), pod('d', '10.0.0.4')],
      existing: [slice('s-1', [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')]), slice('s-2', [pod('c', '10.0.0.3')])],
      want: { create: [], update: [['10.0.0.2', '10.0.0.4']], del: ['s-2'] },
    },
    {
      name: 'a service with no endpoints keeps one empty slice', pods: [],
      existing: [slice('s-1', [pod('a', '10.0.0.1')]), slice('s-2', [pod('c', '10.0.0.3')])],
      want: { create: [], update: [[]], del: ['s-2'] },
    },
    { name: 'placeholder from nothing', pods: [], existing: [], want: { create: [[]], update: [], del: [] } },
    {
      name: 'a port change moves endpoints to a new slice', pods: [pod('a', '10.0.0.1', { port: 9999 })],
      existing: [slice('s-1', [pod('a', '10.0.0.1')])], want: { create: [['10.0.0.1']], update: [], del: ['s-1'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSlices(svc, desiredGroups(svc, c.pods), c.existing, 2);
      assert.deepEqual({ create: plan.create.map(ips), update: plan.update.map(ips), del: plan.delete.map(s => s.metadata!.name) },
        { create: c.want.create, update: c.want.update, del: c.want.del });
    });
  }
});
