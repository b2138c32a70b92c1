/**
 * Every manifest in ../shared/examples (but web-deployment, which needs controllers and
 * services) runs for real on a private node, and each file's `Expect:` is asserted.
 * Also: app containers share the pause container's net, ipc and uts namespaces.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { readlink, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { SHARED } from '../e2e/paths.js';
import { eventually, NodeCluster, onNode, rootSkip } from './cluster.js';

const example = (name: string) => readFileSync(join(SHARED, 'examples', `${name}.yaml`), 'utf8');

describe('shared examples on a real node', { skip: rootSkip }, () => {
  let c: NodeCluster;
  const pod = async (name: string) => JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
  const phase = (name: string, want: string) => eventually(async () => (await pod(name)).status?.phase === want && pod(name), 30_000, `${name} ${want}`);

  before(async () => {
    c = new NodeCluster();
    await c.start();
    for (const f of ['hostpath', 'init-order', 'localhost', 'restart-policies', 'shared-volume', 'sidecar-logs']) {
      await c.k(['apply', '-f', '-'], onNode(example(f), c.nodeName));
    }
  });
  after(async () => {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--wait=true']);
    await c.destroy();
    rmSync('/tmp/kubeling-hostpath-demo', { recursive: true, force: true });
    assert.deepEqual(c.leftovers(), []);
  });

  it('hostpath: the file the pod wrote is on the node', async () => {
    await phase('hostpath-demo', 'Succeeded');
    assert.equal((await readFile('/tmp/kubeling-hostpath-demo/out.txt', 'utf8')).trim(), 'written by the pod');
  });

  it('init-order: init containers ran in order, each to exit 0, before the app', async () => {
    const p = await phase('init-order', 'Succeeded');
    assert.equal((await c.k(['logs', 'init-order'])).trim(), 'first\nsecond');
    const inits = p.status!.initContainerStatuses!;
    assert.deepEqual(inits.map(s => [s.name, s.state?.terminated?.exitCode]), [['first', 0], ['second', 0]]);
    const appStart = Date.parse(p.status!.containerStatuses![0]!.state!.terminated!.startedAt!);
    for (const s of inits) assert.ok(Date.parse(s.state!.terminated!.finishedAt!) <= appStart, `${s.name} finished before the app started`);
    assert.ok(Date.parse(inits[0]!.state!.terminated!.finishedAt!) <= Date.parse(inits[1]!.state!.terminated!.startedAt!));
  });

  it('localhost: containers talk over localhost and share the hostname', async () => {
    await phase('localhost-demo', 'Running');
    const out = await eventually(async () => { const l = await c.k(['logs', 'localhost-demo', '-c', 'client']); return l.includes('pong') && l; }, 20_000, 'pong');
    assert.match(out, /^localhost-demo$/m);
  });

  it('localhost: app containers share the pause container\'s net, ipc and uts namespaces (not pid)', async () => {
    const p = await phase('localhost-demo', 'Running');
    const rt = await c.runtime();
    const sb = (await rt.listSandboxes()).find(s => s.uid === p.metadata!.uid && s.state === 'ready')!;
    const cs = (await rt.listContainers({ sandboxId: sb.id })).filter(x => x.state === 'running');
    assert.equal(cs.length, 2);
    const ns = (pid: number, t: string) => readlink(`/proc/${pid}/ns/${t}`);
    for (const x of cs) {
      for (const t of ['net', 'ipc', 'uts']) assert.equal(await ns(x.pid!, t), await ns(sb.pid!, t), `${x.name} ${t}`);
      assert.notEqual(await ns(x.pid!, 'pid'), await ns(sb.pid!, 'pid'));
    }
    assert.equal(p.status!.podIP, sb.ips[0]);
  });

  it('restart-policies: Always and OnFailure restart with back-off, Never fails, OnFailure success completes', async () => {
    const never = await phase('never-fails', 'Failed');
    assert.equal(never.status!.containerStatuses![0]!.state!.terminated!.exitCode, 3);
    assert.equal(never.status!.containerStatuses![0]!.restartCount, 0);
    const ok = await phase('onfailure-succeeds', 'Succeeded');
    assert.equal(ok.status!.containerStatuses![0]!.restartCount, 0);
    for (const name of ['always-fails', 'onfailure-fails']) {
      const p = await eventually(async () => {
        const x = await pod(name);
        const s = x.status?.containerStatuses?.[0];
        return (s?.restartCount ?? 0) >= 2 && s?.state?.waiting?.reason === 'CrashLoopBackOff' && x;
      }, 40_000, `${name} in CrashLoopBackOff`);
      assert.equal(p.status!.phase, 'Running');
      assert.equal(p.status!.containerStatuses![0]!.lastState!.terminated!.exitCode, 3);
      assert.match((await c.k(['get', 'pod', name])), /CrashLoopBackOff/);
    }
    const events = await c.k(['get', 'events', '--field-selector', 'involvedObject.name=always-fails', '-o', 'json']);
    assert.ok((JSON.parse(events).items as { reason: string }[]).some(e => e.reason === 'BackOff'));
  });

  it('shared-volume: the page the writer put in the emptyDir is served on the pod IP', async () => {
    const p = await phase('shared-volume', 'Running');
    const body = await eventually(async () => {
      const r = await fetch(`http://${p.status!.podIP}:8080/`, { signal: AbortSignal.timeout(2000) });
      return r.ok && (await r.text());
    }, 20_000, 'page');
    assert.equal(body.trim(), 'hello from the writer');
  });

  it('sidecar-logs: the shipper streams the app\'s log file', async () => {
    await phase('sidecar-logs', 'Running');
    const out = await eventually(async () => { const l = await c.k(['logs', 'sidecar-logs', '-c', 'shipper']); return l.includes('tick 2') && l; }, 20_000, 'ticks');
    assert.match(out, /^tick 1$/m);
  });
});
