/**
 * A pod status write is admitted without the deep copy defaulting makes (a pod's
 * defaults touch only its spec, which a status write keeps as stored): the result is
 * what the defaulted path gives, and the stored object is not changed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/object.js';
import { findResource } from '../../src/api/resources.js';
import { applyDefaults } from '../../src/api/defaults/index.js';
import { admitCreate, admitUpdate } from '../../src/apiserver/strategy/admission.js';
import { statusUpdate } from '../../src/apiserver/strategy/kinds.js';
import { mergePatch } from '../../src/api/patch/index.js';
import type { JsonObject } from '../../src/api/patch/json.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') { for (const x of Object.values(v)) deepFreeze(x); Object.freeze(v); }
  return v;
}

describe('pod status write admission', () => {
  const ri = findResource('', 'v1', 'pods')!;
  const created = admitCreate(ri, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { app: 'x' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
  } as KubeObject);
  created.metadata!.resourceVersion = '7';
  deepFreeze(created);
  const status = {
    phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], hostIP: '10.0.0.1', startTime: '2024-01-01T00:00:01Z',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-01-01T00:00:01Z' }],
  };

  it('equals the defaulted result and leaves the stored pod alone', () => {
    const patched = mergePatch(created as unknown as JsonObject, { status }) as KubeObject;
    const next = statusUpdate({ ...patched, metadata: { ...patched.metadata } }, created);
    const fast = admitUpdate(ri, next, created, 'status');
    const slow = applyDefaults('Pod', 'v1', structuredClone(next), { uid: created.metadata!.uid!, operation: 'update' });
    assert.deepEqual(fast, slow);
    assert.equal(fast.spec, created.spec, 'the stored spec, shared');
    assert.equal(fast.status!.phase, 'Running');
  });

  it('ignores a spec change and backfills a QoS class the writer left out (upstream\'s pod status strategy)', () => {
    const patched = mergePatch(created as unknown as JsonObject, {
      spec: { containers: [{ name: 'c', image: 'evil' }], nodeName: 'n1' }, status: { ...status, qosClass: null },
    }) as KubeObject;
    const next = statusUpdate({ ...patched, metadata: { ...patched.metadata } }, created);
    const out = admitUpdate(ri, next, created, 'status');
    assert.equal(out.spec, created.spec, 'the stored spec');
    assert.equal(out.spec!.containers[0].image, 'busybox');
    assert.equal(out.status!.qosClass, 'Guaranteed');
    assert.equal(out.status!.phase, 'Running');
  });

  it('still validates the status', () => {
    const patched = mergePatch(created as unknown as JsonObject, { status: { ...status, podIPs: [{ ip: 'not-an-ip' }] } }) as KubeObject;
    const next = statusUpdate({ ...patched, metadata: { ...patched.metadata } }, created);
    assert.throws(() => admitUpdate(ri, next, created, 'status'), /status.podIPs/);
  });
});
