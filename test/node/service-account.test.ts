/**
 * A pod's service-account credentials, for real: a node cluster with its controller manager
 * (ServiceAccounts controller, root CA publisher) runs a busybox pod, whose kube-api-access volume
 * holds a token, the cluster CA and the namespace at /var/run/secrets/kubernetes.io/serviceaccount,
 * and whose environment names the API service. The token the pod read authenticates to the
 * API server as system:serviceaccount:<ns>:default.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, NodeCluster, onNode, rootSkip } from './cluster.js';

const NS = 'sa-node';
const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('service-account credentials in a pod', { skip: rootSkip }, () => {
  let c: NodeCluster;
  before(async () => {
    c = new NodeCluster();
    await c.start({ controllers: true });
    await c.k(['create', 'namespace', NS]);
  });
  after(async () => {
    await c?.destroy();
    assert.deepEqual(c ? c.leftovers() : [], []);
  });

  it('mounts token, ca.crt and namespace, sets KUBERNETES_SERVICE_*, and the token authenticates as the account', async () => {
    await c.k(['apply', '-n', NS, '-f', '-'], onNode(`apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    securityContext: {runAsUser: 1000}
    command: ["sh", "-c", "ls ${DIR}; echo; stat -L -c '%a' ${DIR}/token; echo TOKEN $(cat ${DIR}/token); echo NS $(cat ${DIR}/namespace); cat ${DIR}/ca.crt; env | grep ^KUBERNETES_ | sort"]
`, c.nodeName));
    const phase = await eventually(async () => {
      const p = JSON.parse(await c.k(['get', 'pod', 'reader', '-n', NS, '-o', 'json']));
      return ['Succeeded', 'Failed'].includes(p.status?.phase) && p.status.phase;
    }, 60_000, 'reader to finish');
    const out = await c.k(['logs', 'reader', '-n', NS]);
    assert.equal(phase, 'Succeeded', out);
    assert.match(out, /^ca\.crt\s+namespace\s+token\s*$/m);
    assert.match(out, /^644$/m); // readable by a non-root container, as upstream's default mode
    assert.match(out, new RegExp(`^NS ${NS}$`, 'm'));
    assert.ok(out.includes(readFileSync(join(c.dataDir, 'tls', 'ca.crt'), 'utf8').trim()), 'ca.crt is the cluster CA');
    const svc = JSON.parse(await c.k(['get', 'svc', 'kubernetes', '-n', 'default', '-o', 'json']));
    assert.match(out, new RegExp(`^KUBERNETES_SERVICE_HOST=${svc.spec.clusterIP.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(out, /^KUBERNETES_SERVICE_PORT=443$/m);

    const token = /^TOKEN (\S+)$/m.exec(out)![1]!;
    const pod = JSON.parse(await c.k(['get', 'pod', 'reader', '-n', NS, '-o', 'json']));
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, `system:serviceaccount:${NS}:default`);
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'reader', uid: pod.metadata.uid });
    assert.equal(claims['kubernetes.io'].node.name, c.nodeName);
    // The admission default of 3607 s is extended to a year for pod tokens, with warnafter at 3607 s.
    assert.equal(claims['kubernetes.io'].warnafter - claims.iat, 3607);

    // The token, from outside the pod, against the API server (a kubeconfig with only the token).
    const cfg = join(c.dataDir, 'pod-token.yaml');
    writeFileSync(cfg, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${c.url}", certificate-authority: ${join(c.dataDir, 'tls', 'ca.crt')}}}]
users: [{name: u, user: {token: "${token}"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`);
    const me = JSON.parse(await c.k(['--kubeconfig', cfg, 'auth', 'whoami', '-o', 'json'])).status.userInfo;
    assert.equal(me.username, `system:serviceaccount:${NS}:default`);
    assert.deepEqual(me.groups, ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated']);
    assert.deepEqual(me.extra['authentication.kubernetes.io/pod-name'], ['reader']);
    assert.deepEqual(me.extra['authentication.kubernetes.io/node-name'], [c.nodeName]);
  });

  it('the token volume is a tmpfs of its own while the pod runs, unmounted once the pod is deleted', async () => {
    await c.k(['apply', '-n', NS, '-f', '-'], onNode(`apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sleep", "3600"]}
`, c.nodeName));
    const uid = await eventually(async () => {
      const p = JSON.parse(await c.k(['get', 'pod', 'sleeper', '-n', NS, '-o', 'json']));
      return p.status?.phase === 'Running' && p.metadata.uid as string;
    }, 60_000, 'sleeper to run');
    const tmpfs = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(l => l.includes(`/pods/${uid}/`) && l.includes(' - tmpfs '));
    const mounts = tmpfs();
    assert.equal(mounts.length, 1, mounts.join('\n'));
    assert.match(mounts[0]!.split(' ')[4]!, /\/volumes\/kubernetes\.io~projected\/kube-api-access-[a-z0-9]{5}$/);
    await c.k(['delete', 'pod', 'sleeper', '-n', NS, '--wait=true']);
    assert.deepEqual(tmpfs(), []);
  });
});
