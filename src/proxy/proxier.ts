/**
 * The service proxy of one node: watches Services and EndpointSlices, and programs the
 * packet filter so cluster IPs, node ports and load-balancer IPs reach ready endpoints.
 *
 * Every sync computes the complete rule set from the caches (level-triggered) and
 * applies the difference to what it last wrote in one atomic iptables-restore batch.
 * The first sync after start (and one every `fullSyncIntervalMs`) rewrites all our
 * chains and deletes any other chain with our prefix, so a restart converges to exactly
 * the rules for the current state. stop() removes every chain, jump and route we made,
 * unless `keepRulesOnStop` (then a later start adopts and corrects them).
 */
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { defaultLogger, type Informer, type Logger, type SharedInformerFactory } from '../client/index.js';
import { ChainNames } from './chains.js';
import { Iptables } from './iptables.js';
import { buildModel } from './model.js';
import { buildBatch, emptyRuleSet, type Programmed } from './restore.js';
import { ServiceRoutes, tableFor } from './routes.js';
import { builtinJumps, generateRules, type Jump, type Table } from './rules.js';

const SERVICES = findResource('', 'v1', 'services')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const BY_SERVICE = 'proxy/service';

export interface ProxyOptions {
  informers: SharedInformerFactory;
  nodeName: string;
  clusterCidr: string;
  serviceCidr: string;
  /** Prefix of every chain we own (default `KUBELING-`). */
  chainPrefix?: string;
  /** Leave rules and routes in place on stop (default false). */
  keepRulesOnStop?: boolean;
  /** Install the service-range routes (default true). */
  manageRoutes?: boolean;
  /** Masquerade pod traffic leaving the pod network (default true). */
  masqueradeEgress?: boolean;
  /** Events within this window are applied in one sync (default 10 ms). */
  batchMs?: number;
  /** Period of full rewrites that repair outside changes (default 60 s; 0 = never). */
  fullSyncIntervalMs?: number;
  iptables?: Iptables;
  routes?: ServiceRoutes;
  logger?: Logger;
}

export interface SyncResult {
  full: boolean;
  ms: number;
  servicePorts: number;
  chainsWritten: number;
  chainsDeleted: number;
  rulesWritten: number;
}

export class Proxier {
  readonly name = 'service-proxy';
  readonly names: ChainNames;
  readonly iptables: Iptables;
  readonly routes?: ServiceRoutes;
  readonly #o: ProxyOptions;
  readonly #log: Logger;
  readonly #services: Informer;
  readonly #slices: Informer;
  readonly #removers: Array<() => void> = [];
  #existing: Record<Table, Set<string>> = { nat: new Set(), filter: new Set() };
  #programmed?: Programmed;
  #jumpsChecked = false;
  #dirty = false;
  #running?: Promise<void>;
  #timer?: NodeJS.Timeout;
  #fullTimer?: NodeJS.Timeout;
  #started?: Promise<void>;
  #ready = false;
  #stopped = false;
  #abort = new AbortController();
  lastSync?: SyncResult;
  syncCount = 0;

  constructor(o: ProxyOptions) {
    this.#o = o;
    this.#log = o.logger ?? defaultLogger;
    this.names = new ChainNames(o.chainPrefix ?? 'KUBELING-');
    this.iptables = o.iptables ?? new Iptables();
    if (o.manageRoutes !== false) {
      this.routes = o.routes ?? new ServiceRoutes({ serviceCidr: o.serviceCidr, table: tableFor(this.names.prefix) });
    }
    this.#services = o.informers.informerFor(SERVICES);
    this.#slices = o.informers.informerFor(SLICES);
    this.#slices.addIndexer(BY_SERVICE, s => {
      const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
      return svc ? [`${s.metadata!.namespace}/${svc}`] : [];
    });
    const poke = { onAdd: () => this.#schedule(), onUpdate: () => this.#schedule(), onDelete: () => this.#schedule() };
    this.#removers.push(this.#services.addEventHandler(poke), this.#slices.addEventHandler(poke));
  }

  /** Waits for the caches, then programs everything; resolves after the first sync. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      for (const inf of [this.#services, this.#slices]) {
        if (!(await inf.waitForSync(this.#abort.signal))) return;
      }
      await this.routes?.ensure();
      this.#existing = await this.iptables.ownChains(this.names.prefix);
      this.#programmed = undefined;
      this.#ready = true;
      await this.syncNow();
      const every = this.#o.fullSyncIntervalMs ?? 60_000;
      if (every > 0) {
        this.#fullTimer = setInterval(() => { this.#programmed = undefined; this.#jumpsChecked = false; this.#schedule(); }, every);
        this.#fullTimer.unref();
      }
    })();
    return this.#started;
  }

  /** Runs a sync now (after any in progress) and returns its result; only after start(). */
  async syncNow(): Promise<SyncResult> {
    if (!this.#ready) throw new Error('proxy not started (or its caches have not synced yet)');
    this.#dirty = true;
    await this.#drain();
    return this.lastSync!;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    for (const r of this.#removers.splice(0)) r();
    clearTimeout(this.#timer);
    clearInterval(this.#fullTimer);
    await this.#started?.catch(() => {});
    await this.#running?.catch(() => {});
    if (this.#o.keepRulesOnStop) return;
    await this.cleanup();
  }

  /** Removes every chain with our prefix, our jumps and our routes. */
  async cleanup(): Promise<void> {
    const existing = await this.iptables.ownChains(this.names.prefix);
    const present = await this.#presentJumps();
    const batch = buildBatch(emptyRuleSet(), existing, undefined, [], present);
    if (batch.text) await this.iptables.restore(batch.text);
    this.#existing = { nat: new Set(), filter: new Set() };
    this.#programmed = undefined;
    await this.routes?.remove();
  }

  #schedule(): void {
    if (this.#stopped || !this.#ready) return;
    this.#dirty = true;
    if (this.#timer || this.#running) return;
    this.#timer = setTimeout(() => { this.#timer = undefined; void this.#drain().catch(() => {}); }, this.#o.batchMs ?? 10);
  }

  /** Syncs until no change arrived meanwhile; one sync at a time. */
  #drain(): Promise<void> {
    this.#running ??= (async () => {
      try {
        while (this.#dirty) {
          this.#dirty = false;
          try {
            await this.#sync();
          } catch (e) {
            this.#log.error('proxy sync failed; retrying with a full sync', { error: e instanceof Error ? e.message : String(e) });
            this.#programmed = undefined;
            this.#existing = await this.iptables.ownChains(this.names.prefix);
            if (this.#stopped) throw e;
            await new Promise(r => setTimeout(r, 500));
            this.#dirty = true;
          }
        }
      } finally {
        this.#running = undefined;
        if (this.#dirty && !this.#stopped) this.#schedule();
      }
    })();
    return this.#running;
  }

  async #sync(): Promise<void> {
    const t0 = performance.now();
    const full = !this.#programmed;
    const model = buildModel(this.#services.list(), (ns, name) => this.#slices.byIndex(BY_SERVICE, `${ns}/${name}`), { nodeName: this.#o.nodeName });
    const rules = generateRules(model, {
      names: this.names, clusterCidr: this.#o.clusterCidr, serviceCidr: this.#o.serviceCidr,
      masqueradeEgress: this.#o.masqueradeEgress, nodeName: this.#o.nodeName,
    });
    let missing: Jump[] = [];
    if (!this.#jumpsChecked) {
      const present = new Set((await this.#presentJumps()).map(j => `${j.table} ${j.chain} ${j.rule}`));
      // Reverse: each is inserted at position 1, so the first listed ends up first.
      missing = builtinJumps(this.names).filter(j => !present.has(`${j.table} ${j.chain} ${j.rule}`)).reverse();
      if (full) await this.routes?.ensure();
    }
    const batch = buildBatch(rules, this.#existing, this.#programmed, missing);
    if (batch.text) await this.iptables.restore(batch.text);
    this.#jumpsChecked = true;
    this.#programmed = batch.next;
    this.#existing = { nat: new Set(batch.next.nat.keys()), filter: new Set(batch.next.filter.keys()) };
    this.syncCount++;
    this.lastSync = {
      full, ms: performance.now() - t0, servicePorts: model.length,
      chainsWritten: batch.changed, chainsDeleted: batch.deleted, rulesWritten: batch.rules,
    };
    // Full syncs and slow ones are worth a line; routine small updates are not.
    if (full || this.lastSync.ms > 250) this.#log.info('proxy rules synced', { ...this.lastSync, ms: Math.round(this.lastSync.ms) });
  }

  async #presentJumps(): Promise<Jump[]> {
    const all = builtinJumps(this.names);
    const has = await Promise.all(all.map(j => this.iptables.has(j.table, j.chain, j.rule)));
    return all.filter((_, i) => has[i]);
  }

  /** The Services and slices the proxy sees (for tests). */
  get caches(): { services: KubeObject[]; slices: KubeObject[] } {
    return { services: this.#services.list(), slices: this.#slices.list() };
  }
}
