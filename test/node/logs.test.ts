/**
 * `kubectl logs` through the API server to the agent: -c, -f, --previous, --tail,
 * --since, --timestamps, --limit-bytes, and upstream's errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually, NodeCluster, rootSkip } from './cluster.js';

const podYaml = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: counter
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; echo to-stderr >&2; sleep 2; echo late; exec sleep 100000"]
  - name: crasher
    image: busybox
    command: ["sh", "-c", "echo run-$(cat /proc/sys/kernel/random/uuid); sleep 2; exit 1"]
`;

const follower = (node: string) => `apiVersion: v1
kind: Pod
metadata: {name: follower}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "sleep 1; for i in a b c; do echo $i; sleep 0.5; done"]
`;

describe('kubectl logs through the API server', { skip: rootSkip }, () => {
  let c: NodeCluster;
  before(async () => {
    c = new NodeCluster();
    await c.start();
    await c.k(['apply', '-f', '-'], podYaml(c.nodeName));
    await eventually(async () => (await c.k(['logs', 'talker', '-c', 'counter'])).includes('late'), 20_000, 'counter logs');
  });
  after(async () => {
    await c.kubectl(['delete', 'pod', 'talker', 'follower', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('-c picks the container; stdout and stderr both appear', async () => {
    const out = await c.k(['logs', 'talker', '-c', 'counter']);
    assert.deepEqual(out.trim().split('\n'), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'to-stderr', 'late']);
  });

  it('--tail, --limit-bytes and --timestamps', async () => {
    assert.equal((await c.k(['logs', 'talker', '-c', 'counter', '--tail=2'])).trim(), 'to-stderr\nlate');
    assert.equal((await c.k(['logs', 'talker', '-c', 'counter', '--tail=0'])), '');
    assert.equal(await c.k(['logs', 'talker', '-c', 'counter', '--limit-bytes=9']), 'line 1\nli');
    const ts = (await c.k(['logs', 'talker', '-c', 'counter', '--timestamps'])).trim().split('\n');
    assert.equal(ts.length, 7);
    for (const l of ts) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (line \d|to-stderr|late)$/);
  });

  it('--since keeps only recent lines', async () => {
    await new Promise(r => setTimeout(r, 2500));
    assert.equal(await c.k(['logs', 'talker', '-c', 'counter', '--since=1s']), '');
    const recent = await c.k(['logs', 'talker', '-c', 'counter', '--since=1h']);
    assert.match(recent, /line 1/);
    const t = new Date(Date.now() - 3600_000).toISOString();
    assert.match(await c.k(['logs', 'talker', '-c', 'counter', `--since-time=${t}`]), /late/);
  });

  it('--previous shows the run before the current one', async () => {
    const pod = await eventually(async () => {
      const p = JSON.parse(await c.k(['get', 'pod', 'talker', '-o', 'json'])) as Pod;
      const s = p.status?.containerStatuses?.find(x => x.name === 'crasher');
      return (s?.restartCount ?? 0) >= 1 && s?.state?.running && p;
    }, 20_000, 'a restart');
    assert.ok(pod);
    const prev = (await c.k(['logs', 'talker', '-c', 'crasher', '--previous'])).trim();
    const cur = (await c.k(['logs', 'talker', '-c', 'crasher'])).trim();
    assert.match(prev, /^run-[0-9a-f-]{36}$/);
    assert.match(cur, /^run-[0-9a-f-]{36}$/);
    assert.notEqual(prev, cur);
    const r = await c.kubectl(['logs', 'talker', '-c', 'counter', '--previous']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /previous terminated container "counter" in pod "talker" not found/);
  });

  it('-f follows until the container exits', async () => {
    await c.k(['apply', '-f', '-'], follower(c.nodeName));
    await eventually(async () => (await c.k(['get', 'pod', 'follower', '-o', 'jsonpath={.status.phase}'])) === 'Running', 20_000, 'follower running');
    const t0 = Date.now();
    const out = await c.k(['logs', '-f', 'follower']);
    assert.equal(out, 'a\nb\nc\n');
    assert.ok(Date.now() - t0 >= 1000, 'followed while the container ran');
  });

  it('errors: unknown container, missing container name, unknown pod', async () => {
    let r = await c.kubectl(['logs', 'talker', '-c', 'nope']);
    assert.match(r.stderr, /container nope is not valid for pod talker/);
    r = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/talker/log']);
    assert.match(r.stderr, /a container name must be specified for pod talker, choose one of: \[counter crasher\]/);
    r = await c.kubectl(['logs', 'nobody']);
    assert.match(r.stderr, /pods "nobody" not found/);
  });
});
