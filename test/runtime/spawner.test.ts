/** `kubeling-shim spawner` and its client: processes started for the agent without forking it. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureShim } from '../../src/node/runtime/native.js';
import { run } from '../../src/node/runtime/proc.js';
import { MS_NODEV, MS_NOSUID, Spawner } from '../../src/node/runtime/spawner.js';
import { hasCommand } from './fixture.js';

describe('spawner', { skip: hasCommand('gcc') ? false : 'needs gcc' }, () => {
  let dir: string;
  let helper: string;
  let sp: Spawner;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeling-spawner-'));
    helper = await ensureShim(join(dir, 'kubeling-shim'));
    sp = new Spawner(helper);
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('runs a command with stdin, collecting stdout, stderr and the exit code', async () => {
    const r = await sp.run('/bin/sh', ['-c', 'read a; echo "out $a"; echo "err $1" >&2; exit 3', 'sh', 'x'], { input: 'hello\n' });
    assert.equal(r.code, 3);
    assert.equal(r.stdout.toString(), 'out hello\n');
    assert.equal(r.stderr.toString(), 'err x\n');
    assert.ok(r.pid > 0);
  });

  it('passes the given environment whole, or its own', async () => {
    const given = await sp.run('/usr/bin/env', [], { env: { ONLY: 'this', EMPTY: '' } });
    assert.deepEqual(given.stdout.toString().trim().split('\n').sort(), ['EMPTY=', 'ONLY=this']);
    const own = await sp.run('/usr/bin/env', []);
    assert.ok(own.stdout.toString().split('\n').some(l => l.startsWith('PATH=')));
  });

  it('finds bare names on PATH and reports a missing program as ENOENT', async () => {
    assert.equal((await sp.run('true', [])).code, 0);
    const r = await sp.run('/nonexistent/kubeling-x', []);
    assert.deepEqual([r.pid, r.errno], [0, 'ENOENT']);
    await assert.rejects(run('/nonexistent/kubeling-x', [], { spawner: sp }), /ENOENT/);
  });

  it('kills a command at its timeout and reports the signal', async () => {
    const r = await sp.run('/bin/sleep', ['30'], { timeoutMs: 50 });
    assert.equal(r.code, 128 + 9);
  });

  it('feeds large stdin and collects large output without mixing up concurrent commands', async () => {
    const big = Buffer.alloc(3 << 20, 'k');
    const runs = await Promise.all([
      sp.run('/bin/cat', [], { input: big }),
      ...Array.from({ length: 150 }, (_, i) => sp.run('/bin/sh', ['-c', `echo ${i}; exit ${i % 7}`])),
    ]);
    assert.ok(runs[0]!.stdout.equals(big));
    runs.slice(1).forEach((r, i) => assert.deepEqual([r.stdout.toString(), r.code], [`${i}\n`, i % 7]));
  });

  it('launches a process in its own session and returns what it wrote on fd 3, leaving it running', async () => {
    const r = await sp.launch('/bin/sh', ['-c', 'echo "ok $$" >&3; exec 3>&-; exec sleep 30']);
    assert.equal(r.stdout.toString(), `ok ${r.pid}\n`);
    const stat = readFileSync(`/proc/${r.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    assert.equal(Number(stat[3]), r.pid, 'session leader');
    process.kill(r.pid, 0); // still running (throws ESRCH otherwise)
    process.kill(r.pid, 'SIGKILL');
  });

  it('keeps a sealed copy of one file and gives it to every launched process as fd 4', async () => {
    const s = new Spawner(helper);
    assert.equal(await s.seal('/bin/echo'), true);
    assert.equal(await s.seal('/bin/echo'), true, 'the same file again');
    assert.equal(await s.seal('/bin/cat'), false, 'another file: the first stays');
    const r = await s.launch('/bin/sh', ['-c', [
      'readlink /proc/$$/fd/4 >&3',
      '/proc/$$/fd/4 from the copy >&3',
      'if printf x >>/proc/$$/fd/4; then echo writable; else echo not writable; fi >&3 2>/dev/null',
      'readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2 | tr "\\n" " " >&3',
    ].join('; ')]);
    const [link, ran, write, stdio] = r.stdout.toString().trim().split('\n');
    assert.match(link!, /^\/memfd:runc/);
    assert.equal(ran, 'from the copy');
    assert.equal(write, 'not writable', 'sealed');
    assert.equal(stdio!.trim(), '/dev/null /dev/null /dev/null', 'stdio on /dev/null, whichever fds the helper had free');
  });

  it('mounts and unmounts without mount(8), naming the errno when it cannot', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
    const target = join(dir, 'mnt');
    mkdirSync(target);
    const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find(l => l.split(' ')[4] === target);
    await sp.mount('tmpfs', target, 'tmpfs', 'mode=0755,size=1m', MS_NOSUID | MS_NODEV);
    try {
      assert.match(mounted()!, / - tmpfs tmpfs rw,size=1024k(,mode=755)?/);
      assert.match(mounted()!, /nosuid,nodev/);
      writeFileSync(join(target, 'f'), 'in memory');
    } finally {
      await sp.unmount(target);
    }
    assert.equal(mounted(), undefined);
    assert.equal(existsSync(join(target, 'f')), false, 'the file was on the tmpfs');
    await assert.rejects(sp.unmount(target), /umount .*: EINVAL/);
    await assert.rejects(sp.unmount(join(dir, 'missing'), true), /umount .*missing: ENOENT/, 'lazy too');
    await assert.rejects(sp.mount('tmpfs', join(dir, 'missing'), 'tmpfs'), /mount tmpfs on .*missing: ENOENT/);
  });

  it('does not keep the process alive once nothing is pending', () => {
    const script = `import { Spawner } from ${JSON.stringify(fileURLToPath(new URL('../../src/node/runtime/spawner.js', import.meta.url)))};
      const r = await new Spawner(${JSON.stringify(helper)}).run('/bin/echo', ['done']);
      console.log(r.stdout.toString().trim());`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, null, 'exited by itself');
    assert.equal(child.stdout.trim(), 'done');
  });
});
