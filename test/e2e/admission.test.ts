/** Admission steps the API server runs on pods: priority from PriorityClass; namespace lifecycle. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k, startTestServer, type TestServer } from './harness.js';

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${extra}  containers: [{name: c, image: busybox}]
`;

describe('admission', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(); });
  after(async () => { await ts?.stop(); });

  it('resolves priorityClassName to spec.priority', async () => {
    await k(ts, ['apply', '-f', '-'], pod('crit', '  priorityClassName: system-node-critical\n'));
    const p = JSON.parse(await k(ts, ['get', 'pod', 'crit', '-o', 'json']));
    assert.equal(p.spec.priority, 2000001000);
    await k(ts, ['create', 'priorityclass', 'low', '--value=10', '--global-default=true']);
    await k(ts, ['apply', '-f', '-'], pod('plain'));
    const q = JSON.parse(await k(ts, ['get', 'pod', 'plain', '-o', 'json']));
    assert.equal(q.spec.priority, 10);
    assert.equal(q.spec.priorityClassName, 'low');
    const r = await ts.kubectl(['apply', '-f', '-'], { input: pod('nope', '  priorityClassName: missing\n') });
    assert.match(r.stderr, /no PriorityClass with name missing was found/);
  });

  it('refuses objects in missing namespaces', async () => {
    const r = await ts.kubectl(['create', 'configmap', 'x', '-n', 'does-not-exist']);
    assert.match(r.stderr, /namespaces "does-not-exist" not found/);
  });
});
