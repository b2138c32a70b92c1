/**
 * A spawner helper started for a worker thread by this (the host) thread (spawner-host.ts):
 * the worker's requests go straight to it, it ends when the worker dies, and this thread
 * reaps it — no zombie, which is what a helper the dead worker had spawned itself became.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ensureShim } from '../../src/node/runtime/native.js';
import { spawnHostedHelper, type HostedHelperRequest } from '../../src/node/runtime/spawner-host.js';
import { hasCommand } from './fixture.js';

const mod = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** A worker that runs one command through a hosted helper, reports its output, then (told to) dies of an uncaught error. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { setSpawnerHost } = await import(workerData.hostMod);
  const { Spawner } = await import(workerData.spawnerMod);
  const waits = new Map();
  let n = 0;
  parentPort.on('message', m => {
    if (m.die) setImmediate(() => { throw new Error('the worker dies'); });
    const p = waits.get(m.id);
    waits.delete(m.id);
    if (m.error) p?.reject(new Error(m.error)); else p?.resolve();
  });
  setSpawnerHost(req => new Promise((resolve, reject) => { const id = ++n; waits.set(id, { resolve, reject }); parentPort.postMessage({ id, req }); }));
  const r = await new Spawner(workerData.helper).run('/bin/sh', ['-c', 'echo "from $1"', 'sh', 'the-worker']);
  parentPort.postMessage({ out: r.stdout.toString().trim() });
})();`;

describe('spawner host', { skip: hasCommand('gcc') ? false : 'needs gcc' }, () => {
  let dir: string;
  let helper: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeling-spawner-host-'));
    helper = await ensureShim(join(dir, 'kubeling-shim'));
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it("serves a worker's requests; when the worker dies its helper exits and is reaped here", async () => {
    const helpers: ChildProcess[] = [];
    let out: string | undefined;
    const w = new Worker(WORKER, {
      eval: true, workerData: { helper, hostMod: mod('../../src/node/runtime/spawner-host.js'), spawnerMod: mod('../../src/node/runtime/spawner.js') },
    });
    w.on('message', (m: { id: number; req: HostedHelperRequest } | { out: string }) => {
      if ('out' in m) { out = m.out; w.postMessage({ die: true }); return; }
      spawnHostedHelper(m.req).then(child => { helpers.push(child); w.postMessage({ id: m.id }); }, (e: Error) => w.postMessage({ id: m.id, error: e.message }));
    });
    const error = await new Promise<Error>(resolve => w.once('error', resolve));
    assert.equal(error.message, 'the worker dies');
    assert.equal(out, 'from the-worker');
    assert.equal(helpers.length, 1, 'one helper, started here');
    const [h] = helpers as [ChildProcess];
    assert.ok(h.pid);
    h.ref(); // the host leaves it unref'd (a server has other reasons to live); here it is what we wait for
    const [code] = h.exitCode !== null ? [h.exitCode] : await new Promise<[number | null]>(r => h.once('exit', c => r([c])));
    assert.equal(code, 0, 'the helper ended by itself (its connection closed)');
    assert.ok(!existsSync(`/proc/${h.pid}`), 'reaped: no zombie left');
  });
});
