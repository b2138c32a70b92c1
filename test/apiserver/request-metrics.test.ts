/**
 * /metrics counts every resource request a real server answers: creates that succeed,
 * conflict and fail validation, by code, with latencies, in-flight gauges back at zero
 * and the store's create timings (the request path keeps its series handles cached, so
 * check the counts add up over many requests of one kind).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, type Sample } from '../metrics/exposition.js';
import { json, startInProc, type InProcServer } from './server-helper.js';

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string, image = 'busybox') => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image }] },
});

describe('request metrics', () => {
  let s: InProcServer;
  before(async () => { s = await startInProc(); });
  after(async () => { await s?.close(); });

  it('counts creates by code, times them, and the in-flight gauge returns to 0', async () => {
    const scrape = async () => {
      const r = await fetch(`${s.url}/metrics`);
      assert.equal(r.status, 200);
      return [...parseExposition(await r.text()).values()].flatMap(f => f.samples);
    };
    const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
      samples.find(x => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value ?? 0;
    const post = { verb: 'POST', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace', dry_run: '', component: 'apiserver' };
    const before = await scrape();
    const n = 25;
    for (let i = 0; i < n; i++) {
      assert.equal((await json(s.url + PODS, { method: 'POST', body: JSON.stringify(pod(`m-${i}`)) })).status, 201);
    }
    assert.equal((await json(s.url + PODS, { method: 'POST', body: JSON.stringify(pod('m-0')) })).status, 409);
    assert.equal((await json(s.url + PODS, { method: 'POST', body: JSON.stringify(pod('m-bad', '')) })).status, 422);
    assert.equal((await json(`${s.url}${PODS}?dryRun=All`, { method: 'POST', body: JSON.stringify(pod('m-dry')) })).status, 201);
    const now = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(now, name, labels) - value(before, name, labels);
    assert.equal(delta('apiserver_request_total', { ...post, code: '201' }), n);
    assert.equal(delta('apiserver_request_total', { ...post, code: '409' }), 1);
    assert.equal(delta('apiserver_request_total', { ...post, code: '422' }), 1);
    assert.equal(delta('apiserver_request_total', { ...post, dry_run: 'All', code: '201' }), 1);
    assert.equal(delta('apiserver_request_duration_seconds_count', post), n + 2);
    assert.equal(delta('apiserver_request_duration_seconds_bucket', { ...post, le: '+Inf' }), n + 2);
    assert.ok(delta('apiserver_request_duration_seconds_sum', post) > 0);
    assert.equal(value(now, 'apiserver_current_inflight_requests', { request_kind: 'mutating' }), 0);
    // Every accepted create and the conflicting one reached the store.
    assert.equal(delta('kubeling_store_request_duration_seconds_count', { operation: 'create', type: 'pods' }), n + 1);
  });
});
