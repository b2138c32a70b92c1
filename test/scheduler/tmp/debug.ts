import { startCluster } from '../../client/helpers.js';
import { SharedInformerFactory, silentLogger } from '../../../src/client/index.js';
import { Scheduler } from '../../../src/scheduler/index.js';
import { FakeNodePool } from '../../../src/node/fake/index.js';

const c = await startCluster();
const client = c.client('sched');
const inf = new SharedInformerFactory(client, { logger: silentLogger });
const s = new Scheduler({ client, informers: inf });
const ac = new AbortController();
void s.run(ac.signal);
const pool = new FakeNodePool({ client: c.client('fake'), nodes: [{ name: 'small', cpu: '1' }] });
await pool.start();
const admin = c.client('admin');
const P = { apiVersion: 'v1', kind: 'Pod' };
const mk = (name: string, prio: number) => ({ metadata: { name, namespace: 'default' }, spec: { priorityClassName: prio > 100 ? 'high' : 'low', containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '800m' } } }] } });
const PC = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' };
await admin.create(PC, { metadata: { name: 'low' }, value: 10 });
await admin.create(PC, { metadata: { name: 'high' }, value: 1000 });
await admin.create(P, mk('victim', 10));
await new Promise(r => setTimeout(r, 1000));
await admin.create(P, mk('vip', 1000));
for (let i = 0; i < 15; i++) {
  await new Promise(r => setTimeout(r, 300));
  const pods = (await admin.list(P)).items.map(p => `${p.metadata!.name}:${p.spec?.nodeName ?? '-'}:${p.metadata?.deletionTimestamp ? 'T' : ''}:${p.status?.nominatedNodeName ?? ''}`);
  const qq = (s.queue as any); console.log(Date.now(), qq.where("default/vip"));
  console.log(i, pods.join(' '), JSON.stringify(s.queue.lengths), JSON.stringify(s.cache.dump()));
}
ac.abort(); await s.stop(); await pool.stop(); await c.cleanup();
