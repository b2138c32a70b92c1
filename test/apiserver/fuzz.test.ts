/**
 * Throws mutated objects at every write verb of several resources: the server must
 * answer each with a Status below 500 (a wrong type is the client's fault) and keep serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { json, startInProc, type InProcServer } from './server-helper.js';

const SEEDS: Array<[string, Record<string, unknown>]> = [
  ['/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }], resources: { limits: { cpu: '1' } } }], volumes: [{ name: 'v', emptyDir: {} }] } }],
  ['/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }],
  ['/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { a: 'b' }, ports: [{ port: 80, targetPort: 'http' }], type: 'NodePort' } }],
  ['/apis/batch/v1/namespaces/default/cronjobs', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } } }],
  ['/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } }],
];

const WEIRD: unknown[] = [null, 0, -1, 1.5, 1e308, '', 'x', '-1', true, [], {}, [null], [{}], { a: null }, 'a'.repeat(300)];

/** A small seeded PRNG so failures reproduce. */
function rng(seed: number) {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
}

function paths(o: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      const p = [...prefix, k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

function mutate(seed: Record<string, unknown>, r: () => number): Record<string, unknown> {
  const o = structuredClone(seed);
  const ps = paths(o).filter(p => !(p.length === 1 && (p[0] === 'apiVersion' || p[0] === 'kind')));
  for (let n = 0; n < 1 + Math.floor(r() * 3); n++) {
    const p = ps[Math.floor(r() * ps.length)];
    let cur: any = o;
    for (const k of p.slice(0, -1)) cur = cur?.[k];
    if (cur && typeof cur === 'object') {
      if (r() < 0.15) delete cur[p.at(-1)!];
      else cur[p.at(-1)!] = structuredClone(WEIRD[Math.floor(r() * WEIRD.length)]);
    }
  }
  return o;
}

describe('fuzzed writes', () => {
  let s: InProcServer;
  before(async () => { s = await startInProc(); });
  after(async () => { await s?.close(); });

  it('answers every mutated write below 500', async () => {
    const r = rng(42);
    const fiveHundreds: string[] = [];
    for (const [url, seed] of SEEDS) {
      const created = await json(s.url + url, { method: 'POST', body: JSON.stringify(seed) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const name = (seed.metadata as { name: string }).name;
      for (let i = 0; i < 150; i++) {
        const body = mutate(seed, r);
        (body.metadata as Record<string, unknown> | undefined) && typeof body.metadata === 'object' && ((body.metadata as Record<string, unknown>).name ??= `${name}-${i}`);
        const verb = i % 3;
        const res = verb === 0
          ? await json(s.url + url, { method: 'POST', body: JSON.stringify({ ...body, metadata: { ...(body.metadata as object), name: `${name}-f${i}` } }) })
          : verb === 1
            ? await json(`${s.url}${url}/${name}`, { method: 'PUT', body: JSON.stringify({ ...body, metadata: { ...(body.metadata as object), name } }) })
            : await json(`${s.url}${url}/${name}`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'Content-Type': i % 2 ? 'application/merge-patch+json' : 'application/strategic-merge-patch+json' } });
        if (res.status >= 500) fiveHundreds.push(`${url} #${i}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    }
    assert.deepEqual(fiveHundreds, []);
    assert.equal((await fetch(s.url + '/readyz')).status, 200);
  });
});
