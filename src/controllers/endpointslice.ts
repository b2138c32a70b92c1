/**
 * The EndpointSlice controller: for every Service with a selector, keeps the
 * discovery.k8s.io/v1 EndpointSlices labelled `kubernetes.io/service-name` and
 * `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, owned by
 * the Service, holding the selected pods (ready, serving, terminating conditions, named
 * ports resolved per pod, at most 100 endpoints per slice). Mirroring of selector-less
 * Services' Endpoints is not implemented: their slices are left to whoever wrote them.
 */
import { ConflictError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import {
  Controller, defaultLogger, deletedObject, splitKey, type Client, type Informer, type Logger, type SharedInformerFactory,
} from '../client/index.js';
import type { Component } from '../cli/components.js';
import { ENDPOINT_SLICES, PODS, SERVICES, podHandler, selectedPods, serviceHandler, serviceSelector } from './endpoints-pods.js';
import { desiredGroups } from './endpointslice-compute.js';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, planSlices } from './endpointslice-plan.js';
import { SliceTracker } from './endpointslice-tracker.js';

/** Index of our slices by `namespace/service-name`. */
const BY_SERVICE = 'endpointslice-controller/service';

export interface EndpointSliceControllerOptions {
  client: Client;
  informers: SharedInformerFactory;
  workers?: number;
  maxEndpointsPerSlice?: number;
  logger?: Logger;
}

export class EndpointSliceController implements Component {
  readonly name = 'endpointslice-controller';
  readonly #client: Client;
  readonly #services: Informer;
  readonly #pods: Informer;
  readonly #slices: Informer;
  readonly #loop: Controller;
  readonly #max: number | undefined;
  readonly #tracker = new SliceTracker();
  readonly #removers: Array<() => void> = [];
  readonly #abort = new AbortController();
  #running?: Promise<void>;

  constructor(o: EndpointSliceControllerOptions) {
    this.#client = o.client.withComponent(this.name);
    this.#max = o.maxEndpointsPerSlice;
    this.#services = o.informers.informerFor(SERVICES);
    this.#pods = o.informers.informerFor(PODS);
    this.#slices = o.informers.informerFor(ENDPOINT_SLICES);
    this.#slices.addIndexer(BY_SERVICE, s => {
      const l = s.metadata?.labels;
      return l?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && l[SERVICE_NAME_LABEL] ? [`${s.metadata!.namespace}/${l[SERVICE_NAME_LABEL]}`] : [];
    });
    this.#loop = new Controller({
      name: this.name, sync: k => this.sync(k), workers: o.workers ?? 4, logger: o.logger ?? defaultLogger,
      waitFor: [this.#services, this.#pods, this.#slices],
    });
    const enqueue = (k: string) => this.#loop.enqueue(k);
    const bySlice = (s: KubeObject) => {
      const l = s.metadata?.labels;
      if (l?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && l[SERVICE_NAME_LABEL]) enqueue(`${s.metadata!.namespace}/${l[SERVICE_NAME_LABEL]}`);
    };
    this.#removers.push(
      this.#services.addEventHandler(serviceHandler(enqueue)),
      this.#pods.addEventHandler(podHandler(this.#services, enqueue)),
      // Changes made by others (or deletions) are undone by the next sync.
      this.#slices.addEventHandler({ onAdd: s => bySlice(s), onUpdate: (_o, s) => bySlice(s), onDelete: x => bySlice(deletedObject(x)) }),
    );
  }

  start(): this {
    this.#running ??= this.#loop.run(this.#abort.signal);
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.#removers.splice(0)) r();
    this.#abort.abort();
    await this.#loop.stop();
    await this.#running;
  }

  /** Reconciles the slices of one Service (namespace/name). */
  async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const svc = this.#services.get(key);
    if (!this.#tracker.caughtUp(key, n => this.#slices.get(`${namespace}/${n}`))) {
      // Our own writes are still on their way to the cache; their events queue us again.
      this.#loop.queue.addAfter(key, 1000);
      return;
    }
    const ours = this.#slices.byIndex(BY_SERVICE, key);
    const sel = svc && serviceSelector(svc);
    if (!svc || !sel) {
      // Deleted, selector removed or ExternalName: what we made is no longer ours to keep.
      await Promise.all(ours.map(s => this.#delete(key, s)));
      return;
    }
    // Slices of an earlier Service with the same name go; ours are owned by this uid.
    const uid = svc.metadata!.uid;
    const [owned, foreign] = partition(ours, s => !!s.metadata?.ownerReferences?.some(r => r.uid === uid));
    const plan = planSlices(svc, desiredGroups(svc, selectedPods(this.#pods, svc, sel)), owned, this.#max);
    const c = this.#client;
    // Creates before deletes: a proxy never sees a moment with no endpoints.
    for (const s of plan.create) this.#tracker.wrote(key, await c.create(ENDPOINT_SLICES, s, { namespace }));
    for (const s of plan.update) {
      try { this.#tracker.wrote(key, await c.update(ENDPOINT_SLICES, s, { namespace })); } catch (e) {
        if (e instanceof ConflictError || e instanceof NotFoundError) throw new Error(`slice ${s.metadata!.name} changed meanwhile; retrying`);
        throw e;
      }
    }
    for (const s of [...plan.delete, ...foreign]) await this.#delete(key, s);
  }

  async #delete(key: string, s: KubeObject): Promise<void> {
    try {
      await this.#client.delete(ENDPOINT_SLICES, s.metadata!.name!, { namespace: s.metadata!.namespace, preconditions: { uid: s.metadata!.uid } });
    } catch (e) {
      if (!(e instanceof NotFoundError) && !(e instanceof ConflictError)) throw e;
    }
    this.#tracker.deleted(key, s.metadata!.name!);
  }
}

function partition<T>(xs: T[], f: (x: T) => boolean): [T[], T[]] {
  const a: T[] = [], b: T[] = [];
  for (const x of xs) (f(x) ? a : b).push(x);
  return [a, b];
}

export function startEndpointSliceController(o: EndpointSliceControllerOptions): EndpointSliceController {
  return new EndpointSliceController(o).start();
}
