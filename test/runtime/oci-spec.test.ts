import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, effectiveCapabilities } from '../../src/node/runtime/runc/capabilities.js';
import { containerSpec, mergeEnv, processArgs } from '../../src/node/runtime/runc/oci-spec.js';

describe('OCI spec building', () => {
  const caps: [string, Parameters<typeof effectiveCapabilities>[0], (c: string[]) => void][] = [
    ['default set', {}, c => assert.deepEqual(c, DEFAULT_CAPABILITIES)],
    ['add NET_ADMIN', { add: ['net_admin'] }, c => assert.ok(c.includes('CAP_NET_ADMIN') && c.includes('CAP_CHOWN'))],
    ['drop ALL add one', { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, c => assert.deepEqual(c, ['CAP_NET_BIND_SERVICE'])],
    ['drop one', { drop: ['CAP_KILL'] }, c => assert.ok(!c.includes('CAP_KILL') && c.length === DEFAULT_CAPABILITIES.length - 1)],
    ['privileged', { privileged: true, drop: ['ALL'] }, c => assert.deepEqual(c, ALL_CAPABILITIES)],
  ];
  for (const [name, input, check] of caps) it(`capabilities: ${name}`, () => check(effectiveCapabilities(input)));

  const args: [string, string[] | undefined, string[] | undefined, string[]][] = [
    ['image defaults', undefined, undefined, ['/ep', 'cmd']],
    ['args replace Cmd', undefined, ['a'], ['/ep', 'a']],
    ['command replaces both', ['sh'], undefined, ['sh']],
    ['command and args', ['sh'], ['-c', 'x'], ['sh', '-c', 'x']],
  ];
  for (const [name, command, a, want] of args) {
    it(`process args: ${name}`, () => assert.deepEqual(processArgs({ Entrypoint: ['/ep'], Cmd: ['cmd'] }, command, a), want));
  }

  it('merges env, the container winning', () => {
    assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1'], [{ name: 'A', value: '2' }, { name: 'B', value: 'x=y' }]), ['PATH=/bin', 'A=2', 'B=x=y']);
  });

  it('joins the pause namespaces, pid only when shared, none of the host ones', () => {
    const base = {
      rootfs: '/r', readonlyRootfs: false, args: ['sh'], env: [], cwd: '/', uid: 1000, gid: 1000, additionalGids: [],
      capabilities: DEFAULT_CAPABILITIES, noNewPrivileges: true, privileged: false, pausePid: 42, cgroupsPath: '/p/c',
      podFiles: { hosts: '/h', resolv: '/r', hostname: '/n', shm: '/s' }, minOomScoreAdj: 0,
      mounts: [{ containerPath: '/data/sub', hostPath: '/x' }, { containerPath: '/data', hostPath: '/y', readonly: true }],
    };
    type Spec = { linux: { namespaces: { type: string; path?: string }[] }; mounts: { destination: string; options: string[] }[]; process: { capabilities: { effective: string[] } } };
    const ns = (s: object) => (s as Spec).linux.namespaces;
    const pod = containerSpec({ ...base, ns: { hostNetwork: false, hostPID: false, hostIPC: false, shareProcessNamespace: false } });
    assert.deepEqual(ns(pod), [{ type: 'mount' }, { type: 'pid' }, { type: 'ipc', path: '/proc/42/ns/ipc' }, { type: 'network', path: '/proc/42/ns/net' }, { type: 'uts', path: '/proc/42/ns/uts' }]);
    const shared = containerSpec({ ...base, ns: { hostNetwork: false, hostPID: false, hostIPC: false, shareProcessNamespace: true } });
    assert.deepEqual(ns(shared)[1], { type: 'pid', path: '/proc/42/ns/pid' });
    const host = containerSpec({ ...base, ns: { hostNetwork: true, hostPID: true, hostIPC: true, shareProcessNamespace: false } });
    assert.deepEqual(ns(host), [{ type: 'mount' }]);
    const dests = (pod as Spec).mounts.map(m => m.destination);
    assert.ok(dests.indexOf('/data') < dests.indexOf('/data/sub'), 'parents mount first');
    assert.ok((pod as Spec).mounts.find(m => m.destination === '/data')!.options.includes('ro'));
    assert.deepEqual((pod as Spec).process.capabilities.effective, [], 'non-root keeps only the bounding set');
  });
});
