/**
 * ServiceAccounts controller, end to end with the real kubectl: every namespace gets a
 * `default` ServiceAccount (the system ones and new ones), and deleting it brings back a
 * fresh one, as upstream's controller does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { kjson, waitFor } from './controller-utils-testing.js';

describe('serviceaccount controller (e2e, kubectl)', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(['--disable-agent', '--disable-scheduler']); });
  after(async () => { await ts?.stop(); });

  const uidOf = async (ns: string) => {
    const r = await ts.kubectl(['-n', ns, 'get', 'serviceaccount', 'default', '-o', 'jsonpath={.metadata.uid}']);
    return r.code === 0 && r.stdout.trim();
  };

  it('the system namespaces each have a default service account', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      await waitFor(`default SA in ${ns}`, () => uidOf(ns));
    }
    const out = await k(ts, ['get', 'serviceaccounts', '-A']);
    assert.match(out, /^NAMESPACE\s+NAME\s+SECRETS\s+AGE/);
    assert.match(out, /\nkube-system\s+default\s+0\s+/);
  });

  it('a new namespace gets one; a deleted one is recreated with a new uid', async () => {
    await k(ts, ['create', 'namespace', 'team-a']);
    const first = await waitFor('default SA in team-a', () => uidOf('team-a'));
    assert.match(await k(ts, ['-n', 'team-a', 'delete', 'serviceaccount', 'default']), /serviceaccount "default" deleted/);
    const second = await waitFor('a recreated default SA', async () => { const u = await uidOf('team-a'); return u && u !== first && u; });
    assert.notEqual(second, first);
    const sa = await kjson(ts, ['-n', 'team-a', 'get', 'serviceaccount', 'default']);
    assert.deepEqual([sa.metadata!.name, sa.metadata!.namespace], ['default', 'team-a']);
    // Other service accounts are the user's business: deleting one does not bring it back.
    await k(ts, ['-n', 'team-a', 'create', 'serviceaccount', 'builder']);
    await k(ts, ['-n', 'team-a', 'delete', 'serviceaccount', 'builder']);
    await k(ts, ['create', 'namespace', 'team-b']);
    await waitFor('default SA in team-b', () => uidOf('team-b')); // the controller has caught up by now
    assert.notEqual((await ts.kubectl(['-n', 'team-a', 'get', 'serviceaccount', 'builder'])).code, 0);
  });

  it('a terminating namespace gets none back', async () => {
    await k(ts, ['create', 'namespace', 'going']);
    await waitFor('default SA in going', () => uidOf('going'));
    await k(ts, ['delete', 'namespace', 'going', '--timeout=60s']);
    await waitFor('namespace gone', async () => (await ts.kubectl(['get', 'namespace', 'going'])).code !== 0);
    assert.notEqual((await ts.kubectl(['-n', 'going', 'get', 'serviceaccount', 'default'])).code, 0);
  });
});
