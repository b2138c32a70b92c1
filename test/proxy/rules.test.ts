/** Rule generation and restore batches as pure functions (no root needed). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChainNames, buildBatch, buildModel, emptyRuleSet, generateRules, type Endpoint, type ServicePortModel,
} from '../../src/proxy/index.js';
import type { KubeObject } from '../../src/api/object.js';

const names = new ChainNames('KL-T-');
const opts = { names, clusterCidr: '10.42.0.0/24', serviceCidr: '10.43.0.0/24', nodeName: 'a' };
const ep = (ip: string, nodeName = 'a'): Endpoint => ({ ip, port: 8080, nodeName, ready: true, serving: true, terminating: false });
const svc = (o: Partial<ServicePortModel>): ServicePortModel => ({
  id: 'ns/web:http', protocol: 'TCP', clusterIPs: ['10.43.0.10'], port: 80, loadBalancerIPs: [], externalIPs: [],
  externalLocal: false, internalLocal: false, clusterEndpoints: [], localEndpoints: [], ...o,
});
const all = (m: ServicePortModel[]) => {
  const rs = generateRules(m, opts);
  return [...rs.nat].flatMap(([c, r]) => r.map(x => `nat ${c} ${x}`)).concat([...rs.filter].flatMap(([c, r]) => r.map(x => `filter ${c} ${x}`)));
};
const has = (lines: string[], re: RegExp) => assert.ok(lines.some(l => re.test(l)), `no line matches ${re}:\n${lines.join('\n')}`);
const hasNot = (lines: string[], re: RegExp) => assert.ok(!lines.some(l => re.test(l)), `a line matches ${re}`);

describe('generateRules', () => {
  it('balances a cluster IP evenly over ready endpoints', () => {
    const eps = [ep('10.42.0.2'), ep('10.42.0.3'), ep('10.42.0.4')];
    const lines = all([svc({ clusterEndpoints: eps, localEndpoints: eps })]);
    const svcChain = names.svc('ns/web:http', 'TCP');
    has(lines, new RegExp(`nat KL-T-SERVICES -d 10.43.0.10/32 -p tcp -m tcp --dport 80 .* -j ${svcChain}$`));
    const dnat = lines.filter(l => l.startsWith(`nat ${svcChain}`) && l.includes('DNAT'));
    assert.deepEqual(dnat.map(l => /probability (\S+)/.exec(l)?.[1] ?? 'rest'), ['0.33333333333', '0.50000000000', 'rest']);
    has(lines, /nat KL-T-HAIRPIN -s 10.42.0.3\/32 -d 10.42.0.3\/32 -j MASQUERADE/);
  });

  it('rejects services without endpoints in filter and leaves nat alone', () => {
    const lines = all([svc({ nodePort: 30080 })]);
    has(lines, /filter KL-T-SERVICES -d 10.43.0.10\/32 .*has no endpoints.* -j REJECT --reject-with tcp-reset/);
    has(lines, /filter KL-T-EXTERNAL -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 .* -j REJECT/);
    hasNot(lines, /nat KL-T-SERVICES -d 10.43.0.10/);
  });

  it('sends node ports and load-balancer IPs to the service, masqueraded', () => {
    const eps = [ep('10.42.0.2')];
    const lines = all([svc({ nodePort: 30080, loadBalancerIPs: ['192.0.2.9'], clusterEndpoints: eps, localEndpoints: eps })]);
    const svcChain = names.svc('ns/web:http', 'TCP');
    for (const [chain, match] of [['NODEPORTS', '-p tcp -m tcp --dport 30080'], ['SERVICES', '-d 192.0.2.9/32 -p tcp -m tcp --dport 80'], ['SERVICES', '-d 127.0.0.1/32 -p tcp -m tcp --dport 80']]) {
      const rules = lines.filter(l => l.startsWith(`nat KL-T-${chain} ${match} `));
      assert.deepEqual(rules.map(l => l.split(' -j ')[1]), ['KL-T-MARK-MASQ', svcChain], `${chain} ${match}`);
    }
    hasNot(lines, /EXT-/);
  });

  it('externalTrafficPolicy Local: outside clients only to local endpoints, unmasqueraded; dropped when none', () => {
    const local = all([svc({ nodePort: 30080, externalLocal: true, clusterEndpoints: [ep('10.42.0.2'), ep('10.42.1.2', 'b')], localEndpoints: [ep('10.42.0.2')] })]);
    const ext = names.ext('ns/web:http', 'TCP'), svl = names.svl('ns/web:http', 'TCP');
    const extRules = local.filter(l => l.startsWith(`nat ${ext} `));
    assert.deepEqual(extRules.map(l => l.replace(/-m comment --comment "[^"]*" /, '').slice(ext.length + 5)), [
      `-s 10.42.0.0/24 -j ${names.svc('ns/web:http', 'TCP')}`, '-m addrtype --src-type LOCAL -j KL-T-MARK-MASQ',
      `-m addrtype --src-type LOCAL -j ${names.svc('ns/web:http', 'TCP')}`, `-j ${svl}`]);
    has(local, new RegExp(`nat ${svl} -p tcp -j DNAT --to-destination 10.42.0.2:8080`));
    const none = all([svc({ nodePort: 30080, externalLocal: true, clusterEndpoints: [ep('10.42.1.2', 'b')], localEndpoints: [] })]);
    has(none, /filter KL-T-EXTERNAL .*--dport 30080 .*has no local endpoints.* -j DROP/);
  });

  it('internalTrafficPolicy Local: the cluster IP goes to local endpoints only', () => {
    const lines = all([svc({ internalLocal: true, clusterEndpoints: [ep('10.42.0.2'), ep('10.42.1.2', 'b')], localEndpoints: [ep('10.42.0.2')] })]);
    has(lines, new RegExp(`nat KL-T-SERVICES -d 10.43.0.10/32 .* -j ${names.svl('ns/web:http', 'TCP')}`));
    const none = all([svc({ internalLocal: true, clusterEndpoints: [ep('10.42.1.2', 'b')], localEndpoints: [] })]);
    has(none, /filter KL-T-SERVICES -d 10.43.0.10\/32 .*has no local endpoints/);
  });

  it('ClientIP affinity remembers each client per endpoint', () => {
    const eps = [ep('10.42.0.2'), ep('10.42.0.3')];
    const lines = all([svc({ affinitySeconds: 60, clusterEndpoints: eps, localEndpoints: eps })]);
    const sep = names.sep('ns/web:http', 'TCP', '10.42.0.2:8080');
    has(lines, new RegExp(`-m recent --name ${sep} --mask 255.255.255.255 --rcheck --seconds 60 --reap --rsource -j ${sep}`));
    has(lines, new RegExp(`nat ${sep} -p tcp -m recent --name ${sep} .*--set --rsource -j DNAT --to-destination 10.42.0.2:8080`));
  });

  it('masquerades marked, hairpin, loopback and pod-egress traffic', () => {
    const lines = all([]);
    has(lines, /nat KL-T-POSTROUTING -m mark --mark 0x4000\/0x4000 -j MASQUERADE/);
    has(lines, /nat KL-T-POSTROUTING -s 10.42.0.0\/24 ! -d 10.42.0.0\/24 .* -j MASQUERADE/);
    has(lines, /filter KL-T-SERVICES -d 10.43.0.0\/24 -p tcp .* -j REJECT --reject-with tcp-reset/);
  });
});

describe('buildModel', () => {
  const service: KubeObject = {
    metadata: { namespace: 'ns', name: 'web' },
    spec: { type: 'NodePort', clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Local' },
  };
  const slice = (eps: Array<[string, boolean, boolean, boolean, string]>): KubeObject => ({
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: eps.map(([ip, ready, serving, terminating, nodeName]) => ({ addresses: [ip], conditions: { ready, serving, terminating }, nodeName })),
  });

  it('uses ready endpoints, splits local ones, skips headless and ExternalName', () => {
    const m = buildModel([service, { metadata: { namespace: 'ns', name: 'h' }, spec: { clusterIP: 'None', ports: [{ port: 1 }] } },
      { metadata: { namespace: 'ns', name: 'x' }, spec: { type: 'ExternalName', externalName: 'example.com' } }],
    () => [slice([['10.42.0.2', true, true, false, 'a'], ['10.42.0.3', false, false, false, 'a'], ['10.42.1.2', true, true, false, 'b']])], { nodeName: 'a' });
    assert.equal(m.length, 1);
    assert.deepEqual(m[0].clusterEndpoints.map(e => e.ip), ['10.42.0.2', '10.42.1.2']);
    assert.deepEqual(m[0].localEndpoints.map(e => e.ip), ['10.42.0.2']);
    assert.equal(m[0].nodePort, 30080);
    assert.equal(m[0].externalLocal, true);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const m = buildModel([service], () => [slice([['10.42.0.2', false, true, true, 'a'], ['10.42.0.3', false, false, true, 'a']])], { nodeName: 'a' });
    assert.deepEqual(m[0].clusterEndpoints.map(e => e.ip), ['10.42.0.2']);
  });
});

describe('buildBatch', () => {
  const eps = [ep('10.42.0.2')];
  const rsA = generateRules([svc({ clusterEndpoints: eps, localEndpoints: eps })], opts);
  const rsB = generateRules([svc({ clusterEndpoints: [ep('10.42.0.3')], localEndpoints: [ep('10.42.0.3')] })], opts);
  const keys = (rs: typeof rsA) => ({ nat: new Set(rs.nat.keys()), filter: new Set(rs.filter.keys()) });

  it('writes every chain on a full sync and nothing when unchanged', () => {
    const full = buildBatch(rsA, { nat: new Set(), filter: new Set() });
    assert.equal(full.changed, rsA.nat.size + rsA.filter.size);
    const again = buildBatch(rsA, keys(rsA), full.next);
    assert.equal(again.text, '');
  });

  it('rewrites only changed chains and deletes chains no longer wanted', () => {
    const full = buildBatch(rsA, { nat: new Set(), filter: new Set() });
    const existing = keys(rsA);
    existing.nat.add('KL-T-SVC-GONE');
    const diff = buildBatch(rsB, existing, full.next);
    const declared = diff.text.split('\n').filter(l => l.startsWith(':')).map(l => l.slice(1).split(' ')[0]).sort();
    assert.deepEqual(declared, ['KL-T-HAIRPIN', 'KL-T-SVC-GONE', names.svc('ns/web:http', 'TCP')].sort());
    assert.match(diff.text, /^-X KL-T-SVC-GONE$/m);
    assert.doesNotMatch(diff.text, /^\*filter$/m);
  });

  it('an empty rule set deletes everything and removes the jumps', () => {
    const b = buildBatch(emptyRuleSet(), keys(rsA), undefined, [], [{ table: 'nat', chain: 'PREROUTING', rule: '-j KL-T-SERVICES' }]);
    assert.match(b.text, /^-D PREROUTING -j KL-T-SERVICES$/m);
    assert.equal(b.deleted, rsA.nat.size + rsA.filter.size);
    const nat = b.text.slice(b.text.indexOf('*nat'));
    assert.ok(nat.indexOf('-D PREROUTING') < nat.indexOf('-X '), 'jumps go before their chains');
  });
});
