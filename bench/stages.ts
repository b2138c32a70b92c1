/**
 * The create pipeline's stages timed in-process (no HTTP): decode, field checks,
 * admission (defaults + validation), managedFields, store, response encoding.
 *   node dist/bench/stages.js [n=5000]
 */
import { openSqliteStore } from '../src/store/index.js';
import { Registry } from '../src/apiserver/registry.js';
import { findResource } from '../src/api/resources.js';
import { parseJsonStrict, checkTypes, findUnknownFields } from '../src/api/schema/index.js';
import { admitCreate } from '../src/apiserver/strategy/admission.js';
import { admitPriority } from '../src/apiserver/strategy/priority.js';
import { recordManager } from '../src/apiserver/handlers/managed-fields.js';
import type { KubeObject } from '../src/api/object.js';

const n = Number(process.argv[2] ?? 5000);
const store = await openSqliteStore(':memory:');
const reg = new Registry(store);
const ri = findResource('', 'v1', 'pods')!;
const rs = reg.for(ri);
await reg.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KubeObject);
const body = (name: string) => Buffer.from(JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
}));
const t: Record<string, number> = {};
// CPU time (getrusage), not wall time: the machine is shared, a stage's own cost is what counts.
const cpuNow = () => { const u = process.cpuUsage(); return u.user + u.system; };
const time = <T>(k: string, f: () => T): T => { const s = cpuNow(); const r = f(); t[k] = (t[k] ?? 0) + cpuNow() - s; return r; };
const timeA = async <T>(k: string, f: () => Promise<T>): Promise<T> => { const s = cpuNow(); const r = await f(); t[k] = (t[k] ?? 0) + cpuNow() - s; return r; };
const cpu0 = process.cpuUsage();
for (let i = 0; i < n; i++) {
  const buf = body(`p-${i}`);
  const d = time('decode', () => parseJsonStrict(buf.toString('utf8')));
  const obj = d.value as KubeObject;
  time('checkTypes', () => checkTypes('v1', 'Pod', obj));
  time('unknownFields', () => findUnknownFields('v1', 'Pod', obj));
  await timeA('namespace', () => reg.checkNamespaceForCreate('default'));
  await timeA('priority', () => admitPriority(reg, obj));
  const adm = time('admitCreate', () => admitCreate(ri, obj));
  time('managedFields', () => recordManager(adm, undefined, 'bench', 'Update'));
  const out = await timeA('store', () => rs.create(adm));
  time('respond', () => JSON.stringify(out));
}
const cpu = process.cpuUsage(cpu0);
const rows = Object.entries(t).map(([stage, us]) => ({ stage, 'µs/create': Math.round(us / n) }));
rows.push({ stage: 'total CPU (user+sys)', 'µs/create': Math.round((cpu.user + cpu.system) / n) });
console.table(rows);
await store.close();
