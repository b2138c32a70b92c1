/**
 * `kubeling server --terminated-pod-gc-threshold N` reaches the pod garbage collector:
 * with N=2, only the two newest terminated pods are kept. A value that is not an integer
 * stops the server before it starts, naming the flag.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { items, names, sleep, waitFor } from './controller-utils-testing.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

describe('--terminated-pod-gc-threshold (e2e, kubectl)', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(['--disable-agent', '--disable-scheduler', '--terminated-pod-gc-threshold', '2']); });
  after(async () => { await ts?.stop(); });

  it('keeps only the newest terminated pods beyond the threshold', async () => {
    for (const n of ['done-1', 'done-2', 'done-3', 'done-4']) {
      await k(ts, ['run', n, '--image=busybox', '--restart=Never']);
      await k(ts, ['patch', 'pod', n, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Succeeded"}}']);
      await sleep(1100); // creation timestamps have second precision: make the age order unambiguous
    }
    await k(ts, ['run', 'running', '--image=busybox', '--restart=Never']);
    // The collector passes every 20 s.
    const left = await waitFor('pod GC', async () => {
      const pods = await items(ts, ['get', 'pods']);
      return pods.length === 3 && pods;
    }, 60_000);
    assert.deepEqual(names(left), ['done-3', 'done-4', 'running']);
  });

  it('refuses a value that is not an integer', async () => {
    const r = await new Promise<{ code: number; stderr: string }>(resolve => {
      execFile(process.execPath, [MAIN, 'server', '--terminated-pod-gc-threshold', 'lots'], (err, _out, stderr) =>
        resolve({ code: (err as { code?: number } | null)?.code ?? 0, stderr }));
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /option '--terminated-pod-gc-threshold <n>' argument 'lots' is invalid\. must be an integer\./);
  });
});
