/**
 * One proxy test world: a real API server (own service CIDR), the EndpointSlice
 * controller, the LB status writer and a Proxier with its own chain prefix, all in this
 * process; a TestNet of real netns "pods" whose IPs the test reports through the API.
 */
import type { KubeObject } from '../../src/api/object.js';
import { silentLogger } from '../../src/client/index.js';
import { EndpointSliceController } from '../../src/controllers/index-c.js';
import { Proxier, ServiceLBController, execRunner, randomPrefix, type ProxyOptions } from '../../src/proxy/index.js';
import { NODE, SVC, createNamespace, runPod, setPodStatus, startEnv, waitFor, type Env } from '../services/env.js';
import { TestNet } from './netns.js';
import { freeServiceCidr, registerRun, sweepDeadRuns } from './sweep.js';

export interface World {
  env: Env;
  net: TestNet;
  proxy: Proxier;
  prefix: string;
  serviceCidr: string;
  nodeIP: string;
  ns: string;
  /** Another Proxier over the same caches (restart tests). */
  newProxy(o?: Partial<ProxyOptions>): Proxier;
  service(name: string, spec: Record<string, unknown>): Promise<KubeObject>;
  /** Registers net pod `i` as an API pod with `labels`, Ready unless told otherwise. */
  pod(i: number, labels: Record<string, string>, o?: { ready?: boolean; nodeName?: string }): Promise<void>;
  setReady(i: number, ready: boolean): Promise<void>;
  /** Waits until the proxy has programmed a sync that saw `pred` true of its caches. */
  synced(what: string, pred: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function hostIP(): Promise<string> {
  const r = await execRunner('ip', ['-4', 'route', 'get', '1.1.1.1']);
  return /\bsrc (\S+)/.exec(r.stdout)?.[1] ?? '127.0.0.1';
}

export async function startWorld(pods: number, o: { ns?: string; proxy?: Partial<ProxyOptions> } = {}): Promise<World> {
  await sweepDeadRuns();
  const serviceCidr = freeServiceCidr();
  const prefix = randomPrefix();
  const unregister = registerRun({ prefix, serviceCidr });
  const nodeIP = await hostIP();
  const net = await TestNet.create(pods);
  for (let i = 0; i < pods; i++) await net.serve(i);
  let proxy!: Proxier;
  let env: Env;
  const proxies: Proxier[] = [];
  const mk = (ctx: Env['ctx'], extra: Partial<ProxyOptions> = {}) => {
    const p = new Proxier({
      informers: ctx.informers, nodeName: 'node-a', clusterCidr: net.cidr, serviceCidr, chainPrefix: prefix,
      batchMs: 5, logger: silentLogger, ...extra,
    });
    proxies.push(p);
    return p;
  };
  try {
    env = await startEnv(ctx => {
      proxy = mk(ctx, o.proxy);
      return [
        new EndpointSliceController({ client: ctx.client, informers: ctx.informers, logger: silentLogger }).start(),
        new ServiceLBController({ client: ctx.client, informers: ctx.informers, logger: silentLogger }).start(),
      ];
    }, { clusterCidr: net.cidr, serviceCidr }, ['--service-cidr', serviceCidr]);
  } catch (e) {
    await net.destroy();
    unregister();
    throw e;
  }
  const ns = o.ns ?? 'px';
  const client = env.client;
  await createNamespace(client, ns);
  await client.create(NODE, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' },
    status: { addresses: [{ type: 'InternalIP', address: nodeIP }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  await proxy.start();
  const world: World = {
    env, net, proxy, prefix, serviceCidr, nodeIP, ns,
    newProxy: extra => mk(env.ctx, extra),
    service: (name, spec) => client.create(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec }),
    async pod(i, labels, po = {}) {
      const p = net.pods[i];
      await runPod(client, ns, p.name, p.ip, po.ready ?? true, { labels, nodeName: po.nodeName ?? 'node-a', ports: [{ name: 'web', containerPort: 8080 }] });
    },
    async setReady(i, ready) { await setPodStatus(client, ns, net.pods[i].name, net.pods[i].ip, ready); },
    async synced(what, pred) {
      await waitFor(what, async () => {
        if (!pred()) return false;
        await world.proxy.syncNow();
        return true;
      });
    },
    async stop() {
      for (const p of proxies) await p.stop().catch(() => {});
      await env.stop();
      await net.destroy();
      unregister();
    },
  };
  return world;
}

/** The slices the proxy sees for a service, flattened to "ip ready" strings. */
export function seenEndpoints(w: World, svc: string): string[] {
  return w.proxy.caches.slices
    .filter(s => s.metadata?.namespace === w.ns && s.metadata?.labels?.['kubernetes.io/service-name'] === svc)
    .flatMap(s => ((s.endpoints ?? []) as Array<{ addresses: string[]; conditions?: { ready?: boolean } }>)
      .map(e => `${e.addresses[0]} ${e.conditions?.ready !== false}`))
    .sort();
}

export { ourRules } from './sweep.js';
