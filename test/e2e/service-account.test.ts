/**
 * Service accounts against a real server and the real kubectl: TokenRequest
 * (`kubectl create token`) issues upstream-shaped JWTs, the API server accepts them as the
 * service account (`kubectl auth whoami`) until the account or the bound pod is gone, the
 * ServiceAccount admission step gives pods the kube-api-access projected volume, and every
 * namespace gets the kube-root-ca.crt ConfigMap.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { k, startTestServer, type TestServer } from './harness.js';

const NS = 'sa-e2e';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, any>;
const pod = (name: string, spec = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}}
spec:
${spec}  initContainers: [{name: init, image: busybox}]
  containers: [{name: c, image: busybox}, {name: d, image: busybox}]
`;

describe('service accounts', () => {
  let ts: TestServer;
  let ca = '';
  /** kubectl with only a bearer token (no client certificate) against the server. */
  const asToken = async (token: string, args: string[]) => {
    const file = join(ts.dataDir, `token-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${ts.url}", certificate-authority-data: ${Buffer.from(ca).toString('base64')}}}]
users: [{name: u, user: {token: "${token}"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`);
    return ts.kubectl(['--kubeconfig', file, ...args]);
  };
  const whoami = async (token: string) => {
    const r = await asToken(token, ['auth', 'whoami', '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout).status.userInfo : { error: r.stderr };
  };

  before(async () => {
    ts = await startTestServer();
    ca = readFileSync(join(ts.dataDir, 'tls', 'ca.crt'), 'utf8');
    await k(ts, ['create', 'namespace', NS]);
    await k(ts, ['create', 'serviceaccount', 'robot', '-n', NS]);
  });
  after(async () => { await ts?.stop(); });

  it('publishes the cluster CA as kube-root-ca.crt in every namespace', async () => {
    for (let i = 0; ; i++) {
      const r = await ts.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', NS, '-o', 'json']);
      if (r.code === 0) {
        assert.equal(JSON.parse(r.stdout).data['ca.crt'], ca);
        break;
      }
      assert.ok(i < 100, `no kube-root-ca.crt: ${r.stderr}`);
      await new Promise(res => setTimeout(res, 100));
    }
    // Edited away, it comes back.
    await k(ts, ['patch', 'configmap', 'kube-root-ca.crt', '-n', NS, '--type=merge', '-p', '{"data":{"ca.crt":"tampered"}}']);
    for (let i = 0; ; i++) {
      const cm = JSON.parse(await k(ts, ['get', 'configmap', 'kube-root-ca.crt', '-n', NS, '-o', 'json']));
      if (cm.data['ca.crt'] === ca) break;
      assert.ok(i < 100, 'kube-root-ca.crt was not restored');
      await new Promise(res => setTimeout(res, 100));
    }
  });

  it('issues tokens with upstream claims (kubectl create token) that authenticate as the service account', async () => {
    const sa = JSON.parse(await k(ts, ['get', 'sa', 'robot', '-n', NS, '-o', 'json']));
    const token = (await k(ts, ['create', 'token', 'robot', '-n', NS, '--duration=20m'])).trim();
    const c = claimsOf(token);
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg, 'ES256');
    assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(c.sub, `system:serviceaccount:${NS}:robot`);
    assert.equal(c.exp - c.iat, 1200);
    assert.equal(c.nbf, c.iat);
    assert.match(c.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(c['kubernetes.io'], { namespace: NS, serviceaccount: { name: 'robot', uid: sa.metadata.uid } });

    const me = await whoami(token);
    assert.equal(me.username, `system:serviceaccount:${NS}:robot`);
    assert.equal(me.uid, sa.metadata.uid);
    assert.deepEqual(me.groups, ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated']);
    assert.deepEqual(me.extra['authentication.kubernetes.io/credential-id'], [`JTI=${c.jti}`]);
    // The token works for ordinary requests too.
    assert.match(await asToken(token, ['get', 'sa', '-n', NS, '-o', 'name']).then(r => r.stdout), /serviceaccount\/robot/);
  });

  it('refuses tampered tokens, foreign audiences and tokens of deleted accounts', async () => {
    await k(ts, ['create', 'serviceaccount', 'doomed', '-n', NS]);
    const token = (await k(ts, ['create', 'token', 'doomed', '-n', NS])).trim();
    assert.equal((await whoami(token)).username, `system:serviceaccount:${NS}:doomed`);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claimsOf(token), sub: `system:serviceaccount:${NS}:admin` })).toString('base64url')}.${s}`;
    assert.match((await whoami(forged)).error, /Unauthorized|provide credentials/);
    const other = (await k(ts, ['create', 'token', 'doomed', '-n', NS, '--audience=vault'])).trim();
    assert.deepEqual(claimsOf(other).aud, ['vault']);
    assert.match((await whoami(other)).error, /Unauthorized|provide credentials/);
    await k(ts, ['delete', 'sa', 'doomed', '-n', NS]);
    assert.match((await whoami(token)).error, /Unauthorized|provide credentials/);
  });

  it('binds tokens to a pod: claims name it, and deleting the pod revokes them', async () => {
    await k(ts, ['apply', '-f', '-'], pod('holder'));
    const p = JSON.parse(await k(ts, ['get', 'pod', 'holder', '-n', NS, '-o', 'json']));
    const token = (await k(ts, ['create', 'token', 'default', '-n', NS, '--bound-object-kind=Pod', '--bound-object-name=holder'])).trim();
    assert.deepEqual(claimsOf(token)['kubernetes.io'].pod, { name: 'holder', uid: p.metadata.uid });
    const me = await whoami(token);
    assert.deepEqual(me.extra['authentication.kubernetes.io/pod-name'], ['holder']);
    assert.deepEqual(me.extra['authentication.kubernetes.io/pod-uid'], [p.metadata.uid]);
    const r = await ts.kubectl(['create', 'token', 'robot', '-n', NS, '--bound-object-kind=Pod', '--bound-object-name=holder']);
    assert.match(r.stderr, /cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name/);
    await k(ts, ['delete', 'pod', 'holder', '-n', NS, '--grace-period=0', '--force']);
    assert.match((await whoami(token)).error, /Unauthorized|provide credentials/);
  });

  it('validates token requests', async () => {
    const short = await ts.kubectl(['create', 'token', 'robot', '-n', NS, '--duration=5m']);
    assert.match(short.stderr, /spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    const ghost = await ts.kubectl(['create', 'token', 'ghost', '-n', NS]);
    assert.match(ghost.stderr, /serviceaccounts "ghost" not found/);
    const nopod = await ts.kubectl(['create', 'token', 'default', '-n', NS, '--bound-object-kind=Pod', '--bound-object-name=nope']);
    assert.match(nopod.stderr, /pods "nope" not found/);
  });

  it('admission gives pods the default account and the kube-api-access projected volume', async () => {
    await k(ts, ['apply', '-f', '-'], pod('plain'));
    const p = JSON.parse(await k(ts, ['get', 'pod', 'plain', '-n', NS, '-o', 'json']));
    assert.equal(p.spec.serviceAccountName, 'default');
    assert.equal(p.spec.serviceAccount, 'default');
    const vols = p.spec.volumes.filter((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    assert.equal(vols.length, 1);
    assert.match(vols[0].name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.deepEqual(vols[0].projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) {
      assert.deepEqual(c.volumeMounts, [{ name: vols[0].name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
  });

  it('admission honours automountServiceAccountToken, own mounts, pull secrets and missing accounts', async () => {
    const volumeNames = async (name: string) => {
      const p = JSON.parse(await k(ts, ['get', 'pod', name, '-n', NS, '-o', 'json']));
      return (p.spec.volumes ?? []).map((v: { name: string }) => v.name.replace(/-[a-z0-9]{5}$/, '-*'));
    };
    await k(ts, ['apply', '-f', '-'], pod('no-token', '  automountServiceAccountToken: false\n'));
    assert.deepEqual(await volumeNames('no-token'), []);
    await k(ts, ['apply', '-f', '-'], `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet, namespace: ${NS}}\nautomountServiceAccountToken: false\nimagePullSecrets: [{name: regcred}]\n`);
    await k(ts, ['apply', '-f', '-'], pod('quiet', '  serviceAccountName: quiet\n'));
    assert.deepEqual(await volumeNames('quiet'), []);
    assert.deepEqual(JSON.parse(await k(ts, ['get', 'pod', 'quiet', '-n', NS, '-o', 'json'])).spec.imagePullSecrets, [{ name: 'regcred' }]);
    // The pod's own setting wins over the account's.
    await k(ts, ['apply', '-f', '-'], pod('loud', '  serviceAccountName: quiet\n  automountServiceAccountToken: true\n'));
    assert.deepEqual(await volumeNames('loud'), ['kube-api-access-*']);
    // A container mounting something at the path keeps it; the others get the token.
    await k(ts, ['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: own, namespace: ${NS}}
spec:
  volumes: [{name: mine, emptyDir: {}}]
  containers:
  - {name: a, image: busybox, volumeMounts: [{name: mine, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]}
  - {name: b, image: busybox}
`);
    const own = JSON.parse(await k(ts, ['get', 'pod', 'own', '-n', NS, '-o', 'json']));
    assert.deepEqual(own.spec.containers[0].volumeMounts.map((m: { name: string }) => m.name), ['mine']);
    assert.match(own.spec.containers[1].volumeMounts[0].name, /^kube-api-access-/);
    // A named account that does not exist: rejected, as upstream; with automount off it is let through.
    const r = await ts.kubectl(['apply', '-f', '-'], { input: pod('ghostly', '  serviceAccountName: ghost\n') });
    assert.match(r.stderr, new RegExp(`pods "ghostly" is forbidden: error looking up service account ${NS}/ghost: serviceaccount "ghost" not found`));
    await k(ts, ['apply', '-f', '-'], pod('ghostly', '  serviceAccountName: ghost\n  automountServiceAccountToken: false\n'));
  });

  it('serves the token subresource and selfsubjectreviews in discovery', async () => {
    const core = JSON.parse(await k(ts, ['get', '--raw', '/api/v1']));
    assert.deepEqual(core.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token'),
      { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    const authn = JSON.parse(await k(ts, ['get', '--raw', '/apis/authentication.k8s.io/v1']));
    assert.deepEqual(authn.resources.map((r: { name: string; verbs: string[] }) => [r.name, r.verbs]), [['selfsubjectreviews', ['create']]]);
  });
});
