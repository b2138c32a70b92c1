/**
 * The real kubectl into a real container (runc, busybox) through the streaming servers:
 * exec with output, exit codes and a tty, cp both ways, and port-forward to a listener
 * bound to the pod's 127.0.0.1 (through NetnsDialer). The stand-in API server replaces
 * the API server's routing, which is not wired yet.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bridgeSession, NetnsDialer } from '../../src/node/streaming/index.js';
import type { RuncRuntime } from '../../src/node/runtime/index.js';
import { makeEnv, rootSkip, type TestEnv } from '../runtime/fixture.js';
import { startStandInApi, type StandInApi } from './standin-api.js';

const hasKubectl = (() => { try { execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe('kubectl into a runc container', { skip: rootSkip || (hasKubectl ? false : 'kubectl not installed') }, () => {
  let env: TestEnv;
  let rt: RuncRuntime;
  let api: StandInApi;
  let dialer: NetnsDialer;
  let sandbox: string;
  before(async () => {
    env = await makeEnv();
    rt = await env.runtime();
    const sb = await rt.runSandbox({ name: 'web', namespace: 'default', uid: 'u1', hostname: 'web' });
    sandbox = sb.id;
    const c = await rt.createContainer(sb.id, {
      name: 'c', image: 'busybox',
      command: ['sh', '-c', 'mkdir -p /www && echo hello-from-httpd > /www/index.html && httpd -p 127.0.0.1:8080 -h /www && exec sleep 3600'],
    });
    await rt.startContainer(c);
    dialer = new NetnsDialer({ runDir: join(env.dir, 'portforward') });
    api = await startStandInApi(0, {
      exec: (r, s) => bridgeSession(s, rt.execStream(c, {
        cmd: r.command, tty: r.tty, ...(s.initialSize ? { consoleSize: { cols: s.initialSize.width, rows: s.initialSize.height } } : {}),
      })),
      dial: port => dialer.dial(`/proc/${sb.pid}/ns/net`, port),
    });
  });
  after(async () => {
    await api?.close();
    dialer?.closeAll();
    if (sandbox) await rt.removeSandbox(sandbox).catch(() => {});
    await env?.cleanup();
  });

  it('exec runs in the container, with its exit code', async () => {
    assert.deepEqual(await api.kubectl(['exec', 'web', '--', 'hostname']), { code: 0, stdout: 'web\n', stderr: '' });
    const r = await api.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo oops >&2; exit 7']);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /^oops\ncommand terminated with exit code 7\n$/);
    assert.equal((await api.kubectl(['exec', '-i', 'web', '--', 'wc', '-c'], 'x'.repeat(100_000))).stdout.trim(), '100000');
  });

  it('exec -it gets a pty of the terminal\'s size', async () => {
    const out = await new Promise<string>(resolve => {
      const p = spawn('script', ['-qefc', `stty rows 27 cols 91; kubectl ${api.flags.join(' ')} exec -it web -- sh -c 'tty; stty size'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let o = '';
      p.stdout.on('data', d => { o += d; });
      p.on('close', () => resolve(o));
      setTimeout(() => p.kill(), 20_000).unref();
    });
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /27 91/);
  });

  it('cp a file in and back out, byte for byte', async () => {
    const blob = randomBytes(3 << 20);
    const src = join(env.dir, 'blob.bin');
    const back = join(env.dir, 'back.bin');
    writeFileSync(src, blob);
    const up = await api.kubectl(['cp', src, 'web:/tmp/blob.bin']);
    assert.equal(up.code, 0, up.stderr);
    const down = await api.kubectl(['cp', 'web:/tmp/blob.bin', back]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(back).equals(blob));
  });

  it('port-forward reaches a listener on the pod\'s 127.0.0.1: 20 parallel requests', async () => {
    const pf = spawn('kubectl', [...api.flags, 'port-forward', 'pod/web', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const local = await new Promise<number>((resolve, reject) => {
        let o = '';
        pf.stdout.on('data', d => { o += d; const m = /127\.0\.0\.1:(\d+)/.exec(o); if (m) resolve(Number(m[1])); });
        pf.on('exit', code => reject(new Error(`kubectl exited ${code}`)));
      });
      const bodies = await Promise.all(Array.from({ length: 20 }, () => new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port: local, path: '/', agent: false }, res => {
          let b = '';
          res.setEncoding('utf8').on('data', d => { b += d; }).on('end', () => resolve(b));
        }).on('error', reject);
      })));
      for (const b of bodies) assert.equal(b, 'hello-from-httpd\n');
    } finally {
      pf.kill();
    }
  });
});
