/** Environment building: $(VAR) expansion, service links, ConfigMap/Secret refs, downward values, resources. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1.js';
import { expand } from '../../../src/node/containers/expand.js';
import { containerEnv, serviceEnv } from '../../../src/node/containers/env.js';
import { ContainerConfigError, type ObjectSource } from '../../../src/node/containers/objects.js';
import { containerResources, qosClass } from '../../../src/node/containers/resources.js';
import { c, pod } from './builders.js';

const facts = { podIPs: ['10.0.0.9'], hostIP: '192.0.2.2', nodeAllocatable: { cpuMilli: 2000, memoryBytes: 4 * 2 ** 30, ephemeralBytes: 1 << 30 } };
function source(o: { cms?: Record<string, ConfigMap['data']>; secrets?: Record<string, Secret['data']>; services?: Service[] } = {}): ObjectSource {
  return {
    configMap: async (_ns, n) => (o.cms?.[n] ? { data: o.cms[n] } as ConfigMap : undefined),
    secret: async (_ns, n) => (o.secrets?.[n] ? { data: o.secrets[n] } as Secret : undefined),
    services: ns => (o.services ?? []).filter(s => s.metadata?.namespace === ns),
  };
}

describe('expand', () => {
  const vars: Record<string, string> = { A: 'x', EMPTY: '' };
  for (const [input, want] of [['$(A)-y', 'x-y'], ['$(B)', '$(B)'], ['$$(A)', '$(A)'], ['$(EMPTY)z', 'z'], ['a$b', 'a$b'], ['$(A', '$(A'], ['$', '$']]) {
    it(`${input} → ${want}`, () => assert.equal(expand(input, n => vars[n]), want));
  }
});

describe('serviceEnv', () => {
  it('makes the docker-link style variables', () => {
    const env = serviceEnv([{ metadata: { name: 'my-svc' }, spec: { clusterIP: '10.43.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } }]);
    assert.equal(env.get('MY_SVC_SERVICE_HOST'), '10.43.0.5');
    assert.equal(env.get('MY_SVC_SERVICE_PORT'), '80');
    assert.equal(env.get('MY_SVC_SERVICE_PORT_HTTP'), '80');
    assert.equal(env.get('MY_SVC_PORT'), 'tcp://10.43.0.5:80');
    assert.equal(env.get('MY_SVC_PORT_53_UDP_PROTO'), 'udp');
    assert.equal(env.get('MY_SVC_PORT_53_UDP_ADDR'), '10.43.0.5');
    assert.equal(serviceEnv([{ metadata: { name: 'h' }, spec: { clusterIP: 'None', ports: [{ port: 1 }] } }]).size, 0);
  });
});

describe('containerEnv', () => {
  const p = pod({ containers: [] });
  p.metadata!.labels = { app: 'x' };

  it('orders service links, envFrom, env; later wins; values are expanded', async () => {
    const ctr = c('a', {
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'P_' }],
      env: [
        { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
        { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'X', value: '$(K)-$(KUBERNETES_SERVICE_HOST)' },
        { name: 'P_k', value: 'override' },
      ],
    });
    const svc: Service = { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443 }] } };
    const env = new Map((await containerEnv(p, ctr, source({ cms: { cm: { k: 'v' } }, secrets: { s: { pw: Buffer.from('pw!').toString('base64') } }, services: [svc] }), facts)).map(e => [e.name, e.value]));
    assert.equal(env.get('K'), 'v');
    assert.equal(env.get('S'), 'pw!');
    assert.equal(env.get('IP'), '10.0.0.9');
    assert.equal(env.get('LBL'), 'x');
    assert.equal(env.get('CPU'), '2', 'no limit: the node allocatable, in cores rounded up');
    assert.equal(env.get('X'), 'v-10.43.0.1');
    assert.equal(env.get('P_k'), 'override');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
  });

  it('service links made once per services version: a container\'s own variables stay its own, a service change shows', async () => {
    const svc = (name: string, ns: string, ip: string): Service => ({ metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
    const services = [svc('kubernetes', 'default', '10.43.0.1'), svc('web', 'ns', '10.43.0.2')];
    let version = 1;
    const src: ObjectSource = { ...source({ services }), servicesVersion: () => version };
    const envOf = async (p0: typeof p, ctr: ReturnType<typeof c>) => new Map((await containerEnv(p0, ctr, src, facts)).map(e => [e.name, e.value]));
    const first = await envOf(p, c('a', { env: [{ name: 'WEB_SERVICE_HOST', value: 'mine' }, { name: 'OWN', value: '1' }] }));
    assert.equal(first.get('WEB_SERVICE_HOST'), 'mine');
    const second = await envOf(p, c('b'));
    assert.equal(second.get('WEB_SERVICE_HOST'), '10.43.0.2', 'the first container\'s override did not leak');
    assert.equal(second.has('OWN'), false);
    const other = pod({ containers: [] });
    other.metadata!.namespace = 'other';
    assert.equal((await envOf(other, c('c'))).has('WEB_SERVICE_HOST'), false, 'per namespace');
    services.push(svc('db', 'ns', '10.43.0.3'));
    version++;
    assert.equal((await envOf(p, c('d'))).get('DB_SERVICE_HOST'), '10.43.0.3');
    const noLinks = pod({ containers: [] });
    noLinks.metadata!.namespace = 'ns';
    noLinks.spec!.enableServiceLinks = false;
    const nl = await envOf(noLinks, c('e'));
    assert.equal(nl.has('WEB_SERVICE_HOST'), false);
    assert.equal(nl.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1', 'the API server\'s service is always linked');
  });

  it('missing objects and keys are CreateContainerConfigError unless optional', async () => {
    const run = (e: NonNullable<ReturnType<typeof c>['env']>) => containerEnv(p, c('a', { env: e }), source({ cms: { cm: { k: 'v' } } }), facts);
    await assert.rejects(run([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }]),
      (e: Error) => e instanceof ContainerConfigError && e.reason === 'CreateContainerConfigError' && e.message === 'configmap "nope" not found');
    await assert.rejects(run([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'other' } } }]), /couldn't find key other in ConfigMap ns\/cm/);
    await assert.rejects(run([{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]), /secret "s" not found/);
    assert.deepEqual(await run([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }]), []);
  });
});

describe('resources', () => {
  it('limits become cgroup values and QoS an oom_score_adj', () => {
    const g = pod({ containers: [c('a', { resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '500m', memory: '64Mi' } } })] });
    assert.equal(qosClass(g), 'Guaranteed');
    assert.deepEqual(containerResources(g, g.spec!.containers[0]!, 1 << 30), { memoryLimitBytes: 64 << 20, cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 512, oomScoreAdj: -997 });
    const be = pod({ containers: [c('a')] });
    assert.equal(qosClass(be), 'BestEffort');
    assert.deepEqual(containerResources(be, be.spec!.containers[0]!, 1 << 30), { cpuShares: 2, oomScoreAdj: 1000 });
    const b = pod({ containers: [c('a', { resources: { requests: { memory: '512Mi' } } })] });
    assert.equal(qosClass(b), 'Burstable');
    assert.equal(containerResources(b, b.spec!.containers[0]!, 1 << 30).oomScoreAdj, 500);
  });
});
