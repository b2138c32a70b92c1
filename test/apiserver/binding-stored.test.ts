/**
 * A binding writes its pod from the stored pod's metadata and spec text (handlers/binding.ts
 * boundParts): the stored bytes must be exactly what serialising the bound pod gives, for
 * pods whose spec has no nodeName key, has one that is empty, or was written by another
 * path (a create's answer, a later update).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { json, startInProc, type InProcServer } from './server-helper.js';

describe('pods/binding stored text', () => {
  let s: InProcServer;
  const ns = `bind-${process.pid}`;
  before(async () => {
    s = await startInProc();
    assert.equal((await json(`${s.url}/api/v1/namespaces`, { method: 'POST', body: JSON.stringify({ metadata: { name: ns } }) })).status, 201);
  });
  after(async () => { await s?.close(); });

  const podsUrl = () => `${s.url}/api/v1/namespaces/${ns}/pods`;

  /** The stored bytes of the pod, and JSON.stringify of the pod as the API shows it, without its resourceVersion. */
  async function storedAndShown(name: string): Promise<{ stored: string; shown: string; pod: any }> {
    const pod = (await json(`${podsUrl()}/${name}`)).body;
    const kv = await s.store.get(`/registry/core/pods/${ns}/${name}`);
    assert.ok(kv);
    const copy = structuredClone(pod);
    delete copy.metadata.resourceVersion;
    return { stored: kv.value.toString('utf8'), shown: JSON.stringify(copy), pod };
  }

  async function bind(name: string, node: unknown): Promise<number> {
    return (await json(`${podsUrl()}/${name}/binding`, {
      method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } }),
    })).status;
  }

  const cases: Record<string, Record<string, unknown>> = {
    'plain spec': { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }] },
    'quotes and braces in the spec': { containers: [{ name: 'c', image: 'busybox', args: ['}"{', '\\"nodeName\\":'] }], hostname: 'h' },
    'empty nodeName key': { nodeName: '', containers: [{ name: 'c', image: 'busybox' }] },
  };
  for (const [what, spec] of Object.entries(cases)) {
    it(`is byte for byte the bound pod's JSON: ${what}`, async () => {
      const name = what.replace(/[^a-z]+/g, '-');
      assert.equal((await json(podsUrl(), { method: 'POST', body: JSON.stringify({ metadata: { name, labels: { a: 'b' } }, spec }) })).status, 201);
      assert.equal(await bind(name, 'node-"1"'), 201);
      const { stored, shown, pod } = await storedAndShown(name);
      assert.equal(pod.spec.nodeName, 'node-"1"');
      assert.equal(pod.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled')?.status, 'True');
      assert.equal(stored, shown);
      // A second binding is refused, and leaves the pod as it was.
      assert.equal(await bind(name, 'other'), 409);
      assert.equal((await storedAndShown(name)).stored, stored);
    });
  }

  it('binds a pod last written by an update (labels changed) the same way', async () => {
    const name = 'updated';
    assert.equal((await json(podsUrl(), { method: 'POST', body: JSON.stringify({ metadata: { name }, spec: cases['plain spec'] }) })).status, 201);
    assert.equal((await json(`${podsUrl()}/${name}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { x: 'y' } } }),
    })).status, 200);
    assert.equal(await bind(name, 'n2'), 201);
    const { stored, shown, pod } = await storedAndShown(name);
    assert.equal(pod.metadata.labels.x, 'y');
    assert.equal(pod.spec.nodeName, 'n2');
    assert.equal(stored, shown);
  });
});
