/**
 * cgroup readers against a real cgroup made for the test (removed afterwards): a child
 * process moved into it burns CPU and touches memory, and the readings must show it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CgroupReader, parseStatFile, usageBetween, workingSet } from '../../src/node/metrics/index.js';

const ROOT = '/sys/fs/cgroup';
const v2 = existsSync(join(ROOT, 'cgroup.controllers'));
const v1 = existsSync(join(ROOT, 'cpuacct', 'cpuacct.usage')) && existsSync(join(ROOT, 'memory', 'memory.usage_in_bytes'));
const skip = process.getuid?.() !== 0 ? 'needs root' : !(v1 || v2) ? 'no usable cgroup hierarchy' : false;

describe('cgroup readings', () => {
  it('memory.stat parsing and working set', () => {
    const s = parseStatFile('cache 100\ntotal_inactive_file 4096\n bogus\nrss 7\n');
    assert.equal(s.get('total_inactive_file'), 4096);
    assert.equal(s.get('rss'), 7);
    assert.equal(workingSet(10_000, 4096), 5904);
    assert.equal(workingSet(1000, 4096), 0, 'never negative');
    assert.equal(workingSet(1000, undefined), 1000);
  });

  it('the node (root cgroup) reads', { skip }, async () => {
    const r = await new CgroupReader().read('/');
    assert.ok(r.cpuUsageNanoSeconds > 0);
    assert.ok(r.memoryWorkingSetBytes > 0 && r.memoryWorkingSetBytes <= r.memoryUsageBytes);
  });

  describe('a cgroup of our own', { skip }, () => {
    const name = `/kubeling-metrics-test-${randomBytes(3).toString('hex')}`;
    const dirs = v1 ? [join(ROOT, 'cpuacct', name), join(ROOT, 'memory', name)] : [join(ROOT, name)];
    const child = spawn(process.execPath, ['-e', `
      process.stdin.once('data', () => {
        const b = Buffer.alloc(64 << 20, 1);          // 64 MiB, touched
        const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
        const end = cpu() + 400; while (cpu() < end) {}    // 400 ms of CPU time, however busy the machine
        console.log('done ' + b.length);
        setInterval(() => b[0]++, 1000);
      });`], { stdio: ['pipe', 'pipe', 'inherit'] });
    before(() => {
      for (const d of dirs) {
        mkdirSync(d);
        writeFileSync(join(d, 'cgroup.procs'), String(child.pid));
      }
    });
    after(async () => {
      child.kill('SIGKILL');
      if (child.exitCode === null) await new Promise(r => child.once('exit', r));
      for (const d of dirs) {
        for (let i = 0; i < 50 && existsSync(d); i++) {
          try { rmdirSync(d); } catch { await new Promise(r => setTimeout(r, 20)); }
        }
        assert.ok(!existsSync(d), `removed ${d}`);
      }
    });

    it('CPU time and working set of the processes inside', async () => {
      const reader = new CgroupReader();
      const r1 = await reader.read(name);
      child.stdin!.write('go\n');
      await new Promise<void>(r => child.stdout!.once('data', () => r()));
      const r2 = await reader.read(name);
      const cpu = r2.cpuUsageNanoSeconds - r1.cpuUsageNanoSeconds;
      assert.ok(cpu >= 400e6, `≥ 400 ms CPU, got ${cpu / 1e6} ms`);
      assert.ok(r2.memoryWorkingSetBytes >= 64 << 20, `working set ${r2.memoryWorkingSetBytes}`);
      const u = usageBetween(r1, r2)!;
      assert.ok(u.cpuNanoCores > 0 && u.windowMs > 0);
      assert.equal(u.memoryWorkingSetBytes, r2.memoryWorkingSetBytes);
    });

    it('a missing cgroup is a CgroupReadError', async () => {
      await assert.rejects(new CgroupReader().read(`${name}-missing`), { code: 'KL_CGROUP_READ' });
    });
  });
});
