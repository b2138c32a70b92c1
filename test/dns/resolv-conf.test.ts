/** Pod resolv.conf per dnsPolicy. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podResolvConf } from '../../src/dns/index.js';

const s = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: 'nameserver 192.0.2.53\nsearch corp.example\noptions edns0\n' };

describe('podResolvConf', () => {
  const cases: Array<{ name: string; pod: Parameters<typeof podResolvConf>[0]; want: string }> = [
    { name: 'ClusterFirst', pod: { namespace: 'ns1' }, want: 'nameserver 10.43.0.10\nsearch ns1.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n' },
    { name: 'ClusterFirst on the host network is Default', pod: { namespace: 'ns1', hostNetwork: true }, want: 'nameserver 192.0.2.53\nsearch corp.example\noptions edns0\n' },
    { name: 'ClusterFirstWithHostNet', pod: { namespace: 'ns1', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, want: 'nameserver 10.43.0.10\nsearch ns1.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n' },
    { name: 'Default', pod: { namespace: 'ns1', dnsPolicy: 'Default' }, want: 'nameserver 192.0.2.53\nsearch corp.example\noptions edns0\n' },
    {
      name: 'None with dnsConfig', pod: { namespace: 'ns1', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } },
      want: 'nameserver 1.2.3.4\nsearch a.b\noptions ndots:2 rotate\n',
    },
    { name: 'dnsConfig merges into ClusterFirst', pod: { namespace: 'n', dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }, want: 'nameserver 10.43.0.10\nsearch n.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:1\n' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(podResolvConf(c.pod, s), c.want));
});
