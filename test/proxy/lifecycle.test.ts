/**
 * The proxy's own lifecycle: a restart (rules kept) converges to exactly the rules a
 * fresh start makes, whatever changed or was tampered with meanwhile; stopping removes
 * every chain, jump and route; the test leaves no netns or links behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execRunner, tableFor } from '../../src/proxy/index.js';
import { SVC } from '../services/env.js';
import { leftovers, needsRoot } from './netns.js';
import { ourRules, seenEndpoints, startWorld, type World } from './setup.js';

describe('proxy lifecycle', { skip: needsRoot }, () => {
  let w: World;
  let netId = '';
  before(async () => {
    w = await startWorld(2, { proxy: { keepRulesOnStop: true } });
    netId = w.net.id;
    await w.pod(0, { app: 'web' });
    await w.pod(1, { app: 'web' });
    await w.service('web', { selector: { app: 'web' }, type: 'NodePort', ports: [{ port: 80, targetPort: 8080 }] });
    await w.service('old', { selector: { app: 'web' }, ports: [{ port: 81, targetPort: 8080 }] });
    await w.synced('endpoints', () => seenEndpoints(w, 'web').length === 2 && seenEndpoints(w, 'old').length === 2);
  });
  after(async () => {
    await w?.stop();
    assert.deepEqual(await leftovers(netId), []);
    assert.deepEqual(await ourRules(w.prefix), []);
  });

  it('converges after a restart to exactly the rules of a fresh start', async () => {
    const before = await ourRules(w.prefix);
    assert.ok(before.some(l => l.includes('px/old')));
    await w.proxy.stop();
    assert.deepEqual(await ourRules(w.prefix), before, 'kept across stop');

    // While the proxy is down: the world changes and someone tampers with our chains.
    await w.env.client.delete(SVC, 'old', { namespace: w.ns });
    const fresh = await w.service('fresh', { selector: { app: 'web' }, ports: [{ port: 82, targetPort: 8080 }] });
    const stale = `${w.prefix}SVC-STALE0000000`;
    await execRunner('iptables', ['-t', 'nat', '-N', stale]);
    await execRunner('iptables', ['-t', 'nat', '-A', stale, '-j', 'RETURN']);
    await execRunner('iptables', ['-t', 'nat', '-A', `${w.prefix}SERVICES`, '-j', stale]);
    await execRunner('iptables', ['-t', 'nat', '-D', `${w.prefix}SERVICES`, '1']);

    const p2 = w.newProxy({ keepRulesOnStop: true });
    w.proxy = p2;
    await p2.start();
    await w.synced('fresh endpoints', () => seenEndpoints(w, 'fresh').length === 2 && !w.proxy.caches.services.some(s => s.metadata?.name === 'old'));
    const restarted = await ourRules(w.prefix);
    assert.ok(!restarted.some(l => l.includes('STALE')), 'stale chain removed');
    assert.ok(!restarted.some(l => l.includes('px/old')), 'deleted service gone');
    assert.ok(restarted.some(l => l.includes('px/fresh')), 'new service present');
    const answers = await w.net.get(`http://${fresh.spec.clusterIP}:82/`, 10);
    assert.ok(answers.every(a => a.startsWith('pod-')), answers[0]);

    // A clean start from nothing must yield the very same rules.
    await p2.cleanup();
    assert.deepEqual(await ourRules(w.prefix), []);
    const p3 = w.newProxy();
    w.proxy = p3;
    await p3.start();
    assert.deepEqual(await ourRules(w.prefix), restarted);
  });

  it('removes every chain, jump and route on stop', async () => {
    const table = String(tableFor(w.prefix));
    assert.match((await execRunner('ip', ['route', 'show', 'table', table])).stdout, /dev lo/);
    assert.match((await execRunner('ip', ['route', 'show', 'type', 'unreachable'])).stdout, new RegExp(w.serviceCidr.replace(/\./g, '\\.')));
    await w.proxy.stop();
    assert.deepEqual(await ourRules(w.prefix), []);
    assert.equal((await execRunner('ip', ['route', 'show', 'table', table])).stdout.trim(), '');
    assert.doesNotMatch((await execRunner('ip', ['rule'])).stdout, new RegExp(`lookup ${table}\\b`));
    assert.doesNotMatch((await execRunner('ip', ['route', 'show', 'type', 'unreachable'])).stdout, new RegExp(w.serviceCidr.replace(/\./g, '\\.')));
  });
});
