/** `kubeling server`'s node-agent flags parse into the agent's settings; bad values are refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { agentFlagsFrom, withAgentFlags } from '../../../src/cli/agent-flags.js';
import { parseDurationMs } from '../../../src/cli/wire-agent.js';

const parse = (argv: string[]) => {
  const cmd = withAgentFlags(new Command('server')).exitOverride().configureOutput({ writeErr: () => {} });
  cmd.parse(argv, { from: 'user' });
  return agentFlagsFrom(cmd.opts());
};

describe('kubeling server agent flags', () => {
  it('defaults to the kubelet-like defaults', () => {
    assert.deepEqual(parse([]), {
      nodeIP: undefined, address: '127.0.0.1', port: 10250, podCidr: undefined, bridge: 'kubeling0', cgroupRoot: '/kubeling',
      runcRoot: '/run/kubeling/runc', imagesDir: undefined, ipMasq: true, unreachableRoute: true, statusIntervalMs: undefined, leaseIntervalMs: undefined,
    });
  });
  it('takes every setting from its flag', () => {
    const f = parse(['--node-ip', '10.0.0.5', '--kubelet-port', '0', '--pod-cidr', '10.9.1.0/24', '--cni-bridge', 'br9', '--cgroup-root', '/t',
      '--runc-root', '/run/t', '--images-dir', '/img', '--no-ip-masq', '--no-unreachable-route', '--node-status-update-frequency', '1s', '--node-lease-renew-interval', '1m30s']);
    assert.deepEqual(f, {
      nodeIP: '10.0.0.5', address: '127.0.0.1', port: 0, podCidr: '10.9.1.0/24', bridge: 'br9', cgroupRoot: '/t', runcRoot: '/run/t', imagesDir: '/img',
      ipMasq: false, unreachableRoute: false, statusIntervalMs: 1000, leaseIntervalMs: 90_000,
    });
  });
  it('refuses a bad port or duration, naming the flag', () => {
    assert.throws(() => parse(['--kubelet-port', '70000']), /--kubelet-port/);
    assert.throws(() => parse(['--node-status-update-frequency', 'soon']), /--node-status-update-frequency.*invalid duration/);
  });
  it('reads Go-style durations', () => {
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('2s'), 2000);
    assert.equal(parseDurationMs('1h'), 3_600_000);
    assert.equal(parseDurationMs('250'), 250);
    assert.throws(() => parseDurationMs('10x'));
  });
});
