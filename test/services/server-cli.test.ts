/**
 * The real `kubeling server` command line with the agent on: the services flags reach the
 * proxy and cluster DNS (kube-dns on the --cluster-dns address, chains under
 * --proxy-chain-prefix, the --service-cidr route), and SIGTERM removes every rule and route.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execRunner } from '../../src/proxy/index.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';
import { NodeCluster, eventually, rootSkip } from '../node/cluster.js';
import { ourRules } from '../proxy/sweep.js';
import { TYPE } from '../../src/dns/index.js';
import { ips, udpQuery } from '../dns/helpers.js';

describe('kubeling server flags for services', { skip: rootSkip }, () => {
  const node = new NodeCluster();
  const dnsIP = node.serviceCidr.replace(/\.0\/24$/, '.53');
  let ts: TestServer;
  const unreachable = async () => (await execRunner('ip', ['route', 'show', 'type', 'unreachable'])).stdout;

  before(async () => {
    ts = await startTestServer([...node.agentArgs(), '--service-cidr', node.serviceCidr, '--proxy-chain-prefix', node.chainPrefix,
      '--cluster-dns', dnsIP, '--cluster-dns-upstream', '127.0.0.1:5399', '--cluster-domain', 'kl.test', '--disable', 'servicelb', '--disable-scheduler']);
  });
  after(async () => {
    await ts?.stop();
    await node.destroy();
    assert.deepEqual(node.leftovers(), []);
  });

  it('kube-dns gets the --cluster-dns address and the proxy programs it under the prefix', async () => {
    const svc = await eventually(async () => JSON.parse((await ts.kubectl(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json'])).stdout || 'null'), 30_000, 'kube-dns');
    assert.equal(svc.spec.clusterIP, dnsIP);
    await eventually(async () => (await ourRules(node.chainPrefix)).some(l => l.includes(`-d ${dnsIP}/32`) && l.includes('kube-system/kube-dns:dns')), 30_000, 'kube-dns rules');
    assert.match(await unreachable(), new RegExp(node.serviceCidr.replace(/\./g, '\\.').replace('/', '\\/')));
  });

  it('cluster DNS answers on its cluster IP for the --cluster-domain zone', async () => {
    const r = await eventually(async () => {
      const a = await udpQuery(dnsIP, 53, 'kube-dns.kube-system.svc.kl.test', TYPE.A);
      return ips(a).length ? a : undefined;
    }, 30_000, 'kube-dns answering through its VIP');
    assert.deepEqual(ips(r), [dnsIP]);
  });

  it('a Service without endpoints gets a REJECT rule', async () => {
    const r = await ts.kubectl(['create', 'service', 'clusterip', 'lonely', '--tcp=80:8080']);
    assert.equal(r.code, 0, r.stderr);
    const ip = JSON.parse((await ts.kubectl(['get', 'svc', 'lonely', '-o', 'json'])).stdout).spec.clusterIP;
    await eventually(async () => (await ourRules(node.chainPrefix)).some(l => l.includes(`-d ${ip}/32`) && l.includes('REJECT')), 30_000, 'reject rule');
  });

  it('SIGTERM removes every rule and the service route', async () => {
    assert.ok((await ourRules(node.chainPrefix)).length > 0);
    ts.proc.kill('SIGTERM');
    await new Promise(r => (ts.proc.exitCode !== null ? r(undefined) : ts.proc.once('exit', r)));
    assert.deepEqual(await ourRules(node.chainPrefix), []);
    assert.ok(!(await unreachable()).includes(node.serviceCidr), 'service route removed');
  });
});
