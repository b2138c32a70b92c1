/**
 * Endpoints and EndpointSlice controllers against a real API server: ready and
 * not-ready pods, named ports per pod, publishNotReadyAddresses, readiness changes,
 * selector-less services left alone, hostnames, slice splitting and clean-up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { EndpointSliceController, EndpointsController } from '../../src/controllers/index-c.js';
import { silentLogger } from '../../src/client/index.js';
import { EP, SLICE, SVC, createNamespace, createPod, runPod, setPodStatus, startEnv, waitFor, type Env } from './env.js';

type Addr = { ip: string; hostname?: string; targetRef?: { name: string } };
type Subset = { addresses?: Addr[]; notReadyAddresses?: Addr[]; ports?: Array<{ name?: string; port: number }> };
type SliceEp = { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; hostname?: string };

describe('endpoints and endpointslice controllers', () => {
  let env: Env;
  const ns = 'ep-test';
  before(async () => {
    env = await startEnv(ctx => [
      new EndpointsController({ client: ctx.client, informers: ctx.informers, logger: silentLogger }).start(),
      new EndpointSliceController({ client: ctx.client, informers: ctx.informers, maxEndpointsPerSlice: 3, logger: silentLogger }).start(),
    ]);
    await createNamespace(env.client, ns);
  });
  after(async () => { await env?.stop(); });

  const svc = (name: string, spec: Record<string, unknown>) => env.client.create(SVC, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: { team: 'x' } }, spec,
  });
  const endpoints = (name: string) => env.client.get(EP, name, { namespace: ns }).catch(() => undefined);
  const slices = async (name: string) => (await env.client.list(SLICE, { namespace: ns, labelSelector: `kubernetes.io/service-name=${name}` })).items;
  const sliceEps = async (name: string) => (await slices(name)).flatMap(s => (s.endpoints ?? []) as SliceEp[])
    .sort((a, b) => a.addresses[0].localeCompare(b.addresses[0]));

  it('lists ready and not-ready pods with resolved target ports', async () => {
    await svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    await runPod(env.client, ns, 'web-1', '10.42.0.11', true, { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] });
    await runPod(env.client, ns, 'web-2', '10.42.0.12', false, { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] });
    // A different container port behind the same name: its own subset.
    await runPod(env.client, ns, 'web-3', '10.42.0.13', true, { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 9090 }] });
    // No port named http: not an endpoint of this port.
    await runPod(env.client, ns, 'web-4', '10.42.0.14', true, { labels: { app: 'web' } });
    const ep = await waitFor('endpoints of web', async () => {
      const e = await endpoints('web');
      const s = (e?.subsets ?? []) as Subset[];
      return s.length === 2 && s.some(x => x.notReadyAddresses?.length) ? e : undefined;
    });
    const subsets = ep.subsets as Subset[];
    const p8080 = subsets.find(s => s.ports![0].port === 8080)!;
    assert.deepEqual(p8080.addresses!.map(a => a.ip), ['10.42.0.11']);
    assert.deepEqual(p8080.notReadyAddresses!.map(a => a.ip), ['10.42.0.12']);
    assert.equal(p8080.ports![0].name, 'http');
    const p9090 = subsets.find(s => s.ports![0].port === 9090)!;
    assert.deepEqual(p9090.addresses!.map(a => a.ip), ['10.42.0.13']);
    assert.equal(ep.metadata!.labels!.team, 'x');

    const all = await waitFor('slices of web', async () => ((await sliceEps('web')).length === 3 ? slices('web') : undefined));
    for (const s of all) {
      assert.equal(s.metadata!.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(s.metadata!.ownerReferences![0].kind, 'Service');
      assert.equal(s.addressType, 'IPv4');
    }
    const byPort = new Map(all.map(s => [(s.ports as Array<{ port: number }>)[0].port, s]));
    assert.deepEqual(((byPort.get(8080)!.endpoints) as SliceEp[]).map(e => [e.addresses[0], e.conditions.ready]).sort(),
      [['10.42.0.11', true], ['10.42.0.12', false]]);
    assert.deepEqual(((byPort.get(9090)!.endpoints) as SliceEp[]).map(e => e.addresses[0]), ['10.42.0.13']);
  });

  it('follows readiness changes', async () => {
    const t0 = Date.now();
    await setPodStatus(env.client, ns, 'web-2', '10.42.0.12', true);
    await waitFor('web-2 ready in endpoints', async () => {
      const s = ((await endpoints('web'))?.subsets ?? []) as Subset[];
      return s.some(x => x.addresses?.some(a => a.ip === '10.42.0.12'));
    });
    await waitFor('web-2 ready in slices', async () => (await sliceEps('web')).find(e => e.addresses[0] === '10.42.0.12')?.conditions.ready);
    const ms = Date.now() - t0;
    await setPodStatus(env.client, ns, 'web-1', '10.42.0.11', false);
    await waitFor('web-1 not ready', async () => {
      const s = ((await endpoints('web'))?.subsets ?? []) as Subset[];
      return s.some(x => x.notReadyAddresses?.some(a => a.ip === '10.42.0.11'));
    });
    // Not a timing assertion: kept in the log so a regression is visible.
    process.stderr.write(`# readiness change reached endpoints and slices in ${ms} ms\n`);
  });

  it('publishes not-ready addresses when asked', async () => {
    await svc('peers', { selector: { app: 'db' }, clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ port: 5432 }] });
    await runPod(env.client, ns, 'db-0', '10.42.0.21', false, { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'peers' });
    const ep = await waitFor('peers endpoints', async () => ((await endpoints('peers'))?.subsets as Subset[] | undefined)?.[0]);
    assert.deepEqual(ep.addresses!.map(a => [a.ip, a.hostname]), [['10.42.0.21', 'db-0']]);
    assert.equal(ep.notReadyAddresses, undefined);
    const e = await waitFor('peers slice', async () => (await sliceEps('peers'))[0]);
    assert.deepEqual(e.conditions, { ready: true, serving: false, terminating: false });
    assert.equal(e.hostname, 'db-0');
    const s = (await slices('peers'))[0];
    assert.equal(s.metadata!.labels!['service.kubernetes.io/headless'], '');
  });

  it('leaves services without a selector alone', async () => {
    await svc('manual', { ports: [{ port: 80 }] });
    await env.client.create(EP, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: ns },
      subsets: [{ addresses: [{ ip: '192.0.2.77' }], ports: [{ port: 80 }] }] });
    await svc('probe', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
    await waitFor('probe endpoints', () => endpoints('probe'));
    const ep = await endpoints('manual');
    assert.equal((ep!.subsets as Subset[])[0].addresses![0].ip, '192.0.2.77');
    assert.equal((await slices('manual')).length, 0);
    // A selected-nothing service keeps one empty placeholder slice.
    const probe = await waitFor('probe placeholder', async () => (await slices('probe'))[0]);
    assert.deepEqual(probe.endpoints ?? [], []);
  });

  it('splits large services into slices and shrinks them again', async () => {
    await svc('many', { selector: { app: 'many' }, ports: [{ port: 80 }] });
    for (let i = 0; i < 7; i++) await runPod(env.client, ns, `many-${i}`, `10.42.1.${i + 1}`, true, { labels: { app: 'many' } });
    await waitFor('7 endpoints in 3 slices', async () => {
      const s = await slices('many');
      return s.length === 3 && s.reduce((n, x) => n + ((x.endpoints as unknown[])?.length ?? 0), 0) === 7;
    });
    for (let i = 0; i < 5; i++) await env.client.delete({ apiVersion: 'v1', kind: 'Pod' }, `many-${i}`, { namespace: ns, gracePeriodSeconds: 0 });
    await waitFor('2 endpoints left', async () => {
      const s = await slices('many');
      const n = s.reduce((k, x) => k + ((x.endpoints as unknown[])?.length ?? 0), 0);
      // Endpoints stay in the slice that holds them; emptied slices go.
      return n === 2 && s.every(x => (x.endpoints as unknown[])?.length) && s.length <= 2;
    });
  });

  it('removes endpoints and slices with their service', async () => {
    await env.client.delete(SVC, 'web', { namespace: ns });
    await waitFor('web endpoints gone', async () => !(await endpoints('web')));
    await waitFor('web slices gone', async () => (await slices('web')).length === 0);
  });

  it('skips pods without an IP and finished pods', async () => {
    await svc('batch', { selector: { app: 'batch' }, ports: [{ port: 80 }] });
    await createPod(env.client, ns, 'batch-pending', { labels: { app: 'batch' } });
    await runPod(env.client, ns, 'batch-done', '10.42.2.2', false, { labels: { app: 'batch' } });
    await env.client.patch({ apiVersion: 'v1', kind: 'Pod' }, 'batch-done', { status: { phase: 'Succeeded' } }, { namespace: ns, subresource: 'status' });
    await runPod(env.client, ns, 'batch-live', '10.42.2.3', true, { labels: { app: 'batch' } });
    const ep: KubeObject = await waitFor('batch endpoints', async () => {
      const e = await endpoints('batch');
      return (e?.subsets as Subset[] | undefined)?.length ? e : undefined;
    });
    assert.deepEqual((ep.subsets as Subset[]).flatMap(s => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map(a => a.ip), ['10.42.2.3']);
  });
});
