/** `kubeling server`'s service networking flags: parsed into startServices options; bad values name the flag. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addServicesFlags, servicesOptionsFromFlags } from '../../src/cli/flags-services.js';

const parse = (args: string[]) => {
  const cmd = addServicesFlags(new Command('server').exitOverride());
  cmd.parse(args, { from: 'user' });
  return servicesOptionsFromFlags(cmd.opts());
};

describe('services flags', () => {
  it('defaults: everything on, KUBELING- chains, cluster.local', () => {
    assert.deepEqual(parse([]), {
      proxy: true, dns: true, serviceLB: true, chainPrefix: 'KUBELING-', keepRules: false, clusterDNS: undefined,
      dnsAddress: undefined, dnsPort: 0, dnsUpstreams: undefined, clusterDomain: 'cluster.local',
    });
  });

  it('k3s-style --disable (repeatable, comma lists), --disable-kube-proxy and the rest', () => {
    const o = parse(['--disable', 'servicelb', '--disable=coredns', '--disable-kube-proxy', '--cluster-dns', '10.96.0.10',
      '--cluster-domain', 'k.test', '--cluster-dns-bind', '127.0.0.1', '--cluster-dns-port', '5353',
      '--cluster-dns-upstream', '127.0.0.1:5300,192.0.2.53', '--proxy-chain-prefix', 'KL-T1-', '--proxy-keep-rules']);
    assert.deepEqual(o, {
      proxy: false, dns: false, serviceLB: false, chainPrefix: 'KL-T1-', keepRules: true, clusterDNS: '10.96.0.10',
      dnsAddress: '127.0.0.1', dnsPort: 5353, clusterDomain: 'k.test',
      dnsUpstreams: [{ host: '127.0.0.1', port: 5300 }, { host: '192.0.2.53', port: 53 }],
    });
    assert.equal(parse(['--disable', 'servicelb,dns']).dns, false);
  });

  it('bad values are rejected naming the flag', () => {
    for (const [args, flag] of [
      [['--disable', 'traefik'], '--disable'],
      [['--proxy-chain-prefix', 'THIS-PREFIX-IS-TOO-LONG-'], '--proxy-chain-prefix'],
      [['--proxy-chain-prefix', 'bad prefix'], '--proxy-chain-prefix'],
      [['--cluster-dns-port', '70000'], '--cluster-dns-port'],
      [['--cluster-dns', '10.0.0.300'], '--cluster-dns'],
      [['--cluster-dns-bind', 'localhost'], '--cluster-dns-bind'],
      [['--cluster-dns-upstream', '127.0.0.1:0'], '--cluster-dns-upstream'],
      [['--cluster-domain', 'Bad_Domain.'], '--cluster-domain'],
    ] as const) {
      assert.throws(() => parse([...args]), (e: Error) => e.message.startsWith(`${flag}:`), args.join(' '));
    }
  });
});
