/**
 * Root CA publisher, end to end with the real kubectl: every active namespace holds the
 * ConfigMap `kube-root-ca.crt` whose `ca.crt` is the CA kubectl trusts; deleting it brings a
 * new one, editing it is undone, and a terminating namespace gets none back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { apply, kjson, waitFor } from './controller-utils-testing.js';

const CM = 'kube-root-ca.crt';

describe('root CA publisher (e2e, kubectl)', () => {
  let ts: TestServer;
  let ca = '';
  before(async () => {
    ts = await startTestServer(['--disable-agent', '--disable-scheduler']);
    const b64 = await k(ts, ['config', 'view', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}']);
    ca = Buffer.from(b64.trim(), 'base64').toString();
    assert.match(ca, /^-----BEGIN CERTIFICATE-----\n/);
  });
  after(async () => { await ts?.stop(); });

  const get = async (ns: string): Promise<KubeObject | undefined> => {
    const r = await ts.kubectl(['-n', ns, 'get', 'configmap', CM, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) as KubeObject : undefined;
  };
  const published = (ns: string) => waitFor(`${CM} in ${ns}`, async () => {
    const cm = await get(ns);
    return (cm?.data as Record<string, string> | undefined)?.['ca.crt'] === ca && cm;
  });

  it('the system namespaces and a new one hold the cluster CA under ca.crt', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await published(ns);
    await k(ts, ['create', 'namespace', 'rca-new']);
    const cm = await published('rca-new');
    assert.deepEqual(Object.keys(cm.data!), ['ca.crt']);
    assert.match(String(cm.metadata!.annotations!['kubernetes.io/description']), /^Contains a CA bundle that can be used to verify the kube-apiserver/);
    // kubectl prints it like any ConfigMap: one data key.
    assert.match(await k(ts, ['-n', 'rca-new', 'get', 'configmap', CM]), /\nkube-root-ca\.crt\s+1\s+/);
  });

  it('a deleted one is recreated with a new uid; an edited one is restored', async () => {
    await k(ts, ['create', 'namespace', 'rca-heal']);
    const first = await published('rca-heal');
    assert.match(await k(ts, ['-n', 'rca-heal', 'delete', 'configmap', CM]), /configmap "kube-root-ca\.crt" deleted/);
    const second = await waitFor('a recreated ConfigMap', async () => {
      const cm = await get('rca-heal');
      return cm && cm.metadata!.uid !== first.metadata!.uid && cm;
    });
    assert.equal((second.data as Record<string, string>)['ca.crt'], ca);

    await k(ts, ['-n', 'rca-heal', 'patch', 'configmap', CM, '--type=merge', '-p', '{"data":{"ca.crt":"tampered","extra":"x"}}']);
    const restored = await waitFor('the edit undone', async () => {
      const cm = await get('rca-heal');
      return cm && Object.keys(cm.data ?? {}).length === 1 && (cm.data as Record<string, string>)['ca.crt'] === ca && cm;
    });
    assert.equal(restored.metadata!.uid, second.metadata!.uid, 'restored in place, not recreated');
  });

  it('a terminating namespace gets none back', async () => {
    await k(ts, ['create', 'namespace', 'rca-going']);
    await published('rca-going');
    // A finalizer the namespace controller cannot clear holds the namespace in Terminating.
    await apply(ts, `apiVersion: v1
kind: ConfigMap
metadata: {name: held, namespace: rca-going, finalizers: [example.com/hold]}
`);
    await k(ts, ['delete', 'namespace', 'rca-going', '--wait=false']);
    await waitFor(`${CM} removed by the namespace controller`, async () => {
      const ns = await kjson(ts, ['get', 'namespace', 'rca-going']);
      return ns.status?.phase === 'Terminating' && !(await get('rca-going'));
    });
    // A namespace created after it is served: the publisher has seen the terminating one by then.
    await k(ts, ['create', 'namespace', 'rca-after']);
    await published('rca-after');
    assert.equal((await kjson(ts, ['get', 'namespace', 'rca-going'])).status?.phase, 'Terminating');
    assert.equal(await get('rca-going'), undefined);
    await k(ts, ['-n', 'rca-going', 'patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await waitFor('namespace gone', async () => (await ts.kubectl(['get', 'namespace', 'rca-going'])).code !== 0);
  });
});
