/**
 * ServiceAccount admission on a server whose controller manager makes `default` accounts
 * (requireServiceAccount): a pod in a namespace without one is refused after the look-up
 * retries, as upstream; with automount off it is admitted; once the account exists the pod
 * gets its token volume. A server without that controller admits such pods without a token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startInProc, type InProcServer } from './server-helper.js';

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

describe('ServiceAccount admission with and without the accounts controller', () => {
  let s: InProcServer;
  const post = (path: string, body: unknown) => json(`${s.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  before(async () => {
    s = await startInProc();
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } });
  });
  after(async () => { await s?.close(); });

  it('admits pods without a token where no controller makes default accounts', async () => {
    s.api.registry.requireServiceAccount = false;
    const r = await post('/api/v1/namespaces/bare/pods', pod('lenient'));
    assert.equal(r.status, 201);
    assert.equal(r.body.spec.serviceAccountName, 'default');
    assert.equal(r.body.spec.volumes, undefined);
  });

  it('refuses pods whose default account is missing, unless automount is off; mounts once it exists', async () => {
    s.api.registry.requireServiceAccount = true;
    const r = await post('/api/v1/namespaces/bare/pods', pod('strict'));
    assert.equal(r.status, 403);
    assert.equal(r.body.reason, 'Forbidden');
    assert.equal(r.body.message, 'pods "strict" is forbidden: error looking up service account bare/default: serviceaccount "default" not found');
    assert.equal((await post('/api/v1/namespaces/bare/pods', pod('quiet', { automountServiceAccountToken: false }))).status, 201);
    await post('/api/v1/namespaces/bare/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    const ok = await post('/api/v1/namespaces/bare/pods', pod('strict'));
    assert.equal(ok.status, 201);
    assert.match(ok.body.spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.equal(ok.body.spec.containers[0].volumeMounts[0].mountPath, '/var/run/secrets/kubernetes.io/serviceaccount');
  });

  it('answers a malformed pod spec with a Status naming the field, not a crash', async () => {
    const r = await post('/api/v1/namespaces/bare/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'odd' }, spec: { containers: 'nope', initContainers: [1, null] } });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /spec\.containers/);
  });
});
