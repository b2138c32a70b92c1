/**
 * Namespace controller, end to end: `kubectl delete namespace` removes the content and
 * then the namespace; content held by a finalizer keeps it Terminating, with upstream's
 * conditions saying why, until the finalizer goes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { apply, deploymentYaml, kjson, waitFor } from './controller-utils-testing.js';

describe('namespace controller (e2e, kubectl)', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(['--disable-agent', '--disable-scheduler']); });
  after(async () => { await ts?.stop(); });

  it('kubectl delete namespace removes everything in it, then the namespace', async () => {
    await k(ts, ['create', 'namespace', 'doomed']);
    await apply(ts, deploymentYaml({ name: 'web', ns: 'doomed', replicas: 2 }));
    await k(ts, ['-n', 'doomed', 'create', 'configmap', 'settings', '--from-literal=a=b']);
    await k(ts, ['-n', 'doomed', 'create', 'secret', 'generic', 'creds', '--from-literal=a=b']);
    await k(ts, ['-n', 'doomed', 'create', 'service', 'clusterip', 'web', '--tcp=80:80']);
    await waitFor('pods', async () => (await kjson<{ items: unknown[] }>(ts, ['-n', 'doomed', 'get', 'pods'])).items.length === 2);

    assert.match(await k(ts, ['delete', 'namespace', 'doomed', '--timeout=60s']), /namespace "doomed" deleted/);
    assert.notEqual((await ts.kubectl(['get', 'namespace', 'doomed'])).code, 0);
    for (const r of ['pods', 'replicasets', 'deployments', 'configmaps', 'secrets', 'services']) {
      const out = await k(ts, ['-n', 'doomed', 'get', r, '-o', 'name']);
      assert.equal(out.trim(), '', `${r} left behind`);
    }
    // The name is free again.
    await k(ts, ['create', 'namespace', 'doomed']);
    await k(ts, ['delete', 'namespace', 'doomed', '--timeout=60s']);
  });

  it('waits for content held by finalizers, reporting it in the namespace conditions', async () => {
    await k(ts, ['create', 'namespace', 'held']);
    await apply(ts, `apiVersion: v1
kind: ConfigMap
metadata: {name: pinned, namespace: held, finalizers: [example.com/hold]}
`);
    await k(ts, ['delete', 'namespace', 'held', '--wait=false']);
    const ns = await waitFor('conditions', async () => {
      const n = await kjson(ts, ['get', 'namespace', 'held']);
      return n.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') && n;
    });
    assert.equal(ns.status.phase, 'Terminating');
    const cond = (t: string) => ns.status.conditions.find((c: { type: string }) => c.type === t);
    assert.deepEqual([cond('NamespaceContentRemaining').reason, cond('NamespaceContentRemaining').message],
      ['SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances']);
    assert.deepEqual([cond('NamespaceFinalizersRemaining').reason, cond('NamespaceFinalizersRemaining').message],
      ['SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances']);
    assert.deepEqual([cond('NamespaceDeletionContentFailure').status, cond('NamespaceDeletionContentFailure').reason], ['False', 'ContentDeleted']);
    assert.match(await k(ts, ['get', 'namespace', 'held']), /held\s+Terminating/);
    // Creating in a terminating namespace is refused (the API server's lifecycle check).
    const r = await ts.kubectl(['-n', 'held', 'create', 'configmap', 'late']);
    assert.match(r.stderr, /because it is being terminated/);

    await k(ts, ['-n', 'held', 'patch', 'configmap', 'pinned', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await waitFor('namespace gone', async () => (await ts.kubectl(['get', 'namespace', 'held'])).code !== 0, 30_000);
  });
});
