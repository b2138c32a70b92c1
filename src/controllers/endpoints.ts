/**
 * The Endpoints controller: keeps one Endpoints object per Service with a selector,
 * listing the selected pods' IPs and resolved target ports, ready ones under
 * `addresses` and the rest under `notReadyAddresses` (all ready with
 * `publishNotReadyAddresses`). Services without a selector are left to their owner.
 *
 * Level-triggered: pod and service events only queue service keys; sync() reads the
 * caches and writes only when the computed object differs from the cached one.
 */
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { Controller, defaultLogger, deletedObject, keyOf, splitKey, type Client, type Informer, type Logger, type SharedInformerFactory } from '../client/index.js';
import type { Component } from '../cli/components.js';
import {
  ENDPOINTS, PODS, SERVICES, canonical, endpointLabels, podHandler, selectedPods, serviceHandler, serviceSelector,
} from './endpoints-pods.js';
import { computeSubsets } from './endpoints-subsets.js';

export interface EndpointsControllerOptions {
  client: Client;
  informers: SharedInformerFactory;
  workers?: number;
  logger?: Logger;
}

export class EndpointsController implements Component {
  readonly name = 'endpoints-controller';
  readonly #client: Client;
  readonly #services: Informer;
  readonly #pods: Informer;
  readonly #endpoints: Informer;
  readonly #loop: Controller;
  readonly #removers: Array<() => void> = [];
  readonly #abort = new AbortController();
  #running?: Promise<void>;

  constructor(o: EndpointsControllerOptions) {
    this.#client = o.client.withComponent(this.name);
    this.#services = o.informers.informerFor(SERVICES);
    this.#pods = o.informers.informerFor(PODS);
    this.#endpoints = o.informers.informerFor(ENDPOINTS);
    this.#loop = new Controller({
      name: this.name, sync: k => this.sync(k), workers: o.workers ?? 4, logger: o.logger ?? defaultLogger,
      waitFor: [this.#services, this.#pods, this.#endpoints],
    });
    const enqueue = (k: string) => this.#loop.enqueue(k);
    this.#removers.push(
      this.#services.addEventHandler(serviceHandler(enqueue)),
      this.#pods.addEventHandler(podHandler(this.#services, enqueue)),
      // Someone else changed or deleted our object: put it back.
      this.#endpoints.addEventHandler({
        onUpdate: (_o, ep) => this.#ifService(ep, enqueue),
        onDelete: x => this.#ifService(deletedObject(x), enqueue),
      }),
    );
  }

  #ifService(ep: KubeObject, enqueue: (k: string) => void): void {
    const k = keyOf(ep);
    if (this.#services.get(k)) enqueue(k);
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

  /** Reconciles the Endpoints of one Service (namespace/name). */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.get(key);
    const current = this.#endpoints.get(key);
    if (!svc) {
      if (current) await this.#client.delete(ENDPOINTS, name, { namespace }).catch(ignoreNotFound);
      return;
    }
    const sel = serviceSelector(svc);
    if (!sel) return;
    const subsets = computeSubsets(svc, selectedPods(this.#pods, svc, sel));
    const labels = endpointLabels(svc);
    if (current && canonical(current.subsets ?? []) === canonical(subsets) && canonical(current.metadata?.labels ?? {}) === canonical(labels)) return;
    const obj: KubeObject = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? {}), name, namespace, labels },
      subsets,
    };
    if (current) {
      await this.#client.update(ENDPOINTS, obj, { namespace });
      return;
    }
    try {
      await this.#client.create(ENDPOINTS, obj, { namespace });
    } catch (e) {
      // The cache has not seen an existing object yet: the retry will update it.
      if (e instanceof AlreadyExistsError) throw new Error(`endpoints ${key} exist but are not cached yet`);
      throw e;
    }
  }
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof NotFoundError)) throw e;
}

export function startEndpointsController(o: EndpointsControllerOptions): EndpointsController {
  return new EndpointsController(o).start();
}
