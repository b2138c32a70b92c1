/** startControllersB as the controller manager calls it: every controller runs, reacts, and stops cleanly. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Component } from '../../src/cli/components.js';
import { startControllersB } from '../../src/controllers/index-b.js';
import { k } from '../e2e/harness.js';
import { apply, createFakeNode, listPods, startEnv, waitFor } from './index-b-harness.js';

describe('startControllersB', () => {
  it('starts the eight controllers on shared informers and stops them', async () => {
    let components: Component[] = [];
    const env = await startEnv(ctx => {
      // startControllersB is async; the harness starts informers right after, as the server does.
      void startControllersB(ctx, { terminatedPodGCThreshold: 100 }).then(cs => { components = cs; });
      return [{ name: 'controllers-b', stop: async () => { for (const c of components) await c.stop(); } }];
    });
    try {
      await waitFor('started', () => components.length === 8);
      assert.deepEqual(components.map(c => c.name).sort(),
        ['cronjob', 'daemonset', 'job', 'node-lifecycle', 'podgc', 'statefulset', 'taint-eviction', 'ttl-after-finished']);
      await k(env.ts, ['create', 'ns', 'all']);
      await createFakeNode(env.client, 'fake-1');
      await apply(env.ts, `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: all}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: all}
spec:
  selector: {matchLabels: {app: agent}}
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: all}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}
`);
      await waitFor('a pod from each workload', async () => {
        const owners = (await listPods(env.client, 'all')).map(p => p.metadata!.ownerReferences?.[0]?.kind).sort().join();
        return owners === 'DaemonSet,Job,StatefulSet';
      });
    } finally {
      await env.stop();
    }
  });
});
