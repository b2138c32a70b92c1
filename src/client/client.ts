/**
 * The REST client every component uses to talk to the API server (never the store):
 * typed verbs by resource, subresource and raw requests, and watch streams.
 *
 * Namespaces: get/update/patch/delete/create use `opts.namespace`, else the object's,
 * else the config's default; list and watch without `namespace` span all namespaces.
 */
import type { IncomingMessage } from 'node:http';
import type { Status } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { loadKubeconfig, type ClientConfig } from './config.js';
import { resolveResource, resourcePath, type ObjectLike, type ResourceRef } from './paths.js';
import { Transport, type QueryParams, type RawRequest, type RawResponse } from './transport.js';
import { WatchStream } from './watch.js';

export interface ObjectList<T extends ObjectLike = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this version; unset or "0" first replays the current state as ADDED. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the stream after this long. */
  timeoutSeconds?: number;
  /** Aborting it stops the stream (like `stop()`). */
  signal?: AbortSignal;
}

export interface WriteOptions {
  namespace?: string;
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Default: merge. */
  type?: PatchType;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
  subresource?: 'status' | 'scale';
}

export interface DeleteOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface SubresourceOptions {
  namespace?: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  contentType?: string;
  query?: QueryParams;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export class Client {
  readonly config: Readonly<ClientConfig>;
  readonly #t: Transport;

  constructor(config: ClientConfig) {
    this.config = { ...config };
    this.#t = new Transport(config);
  }

  /** A client from a kubeconfig file (default $KUBECONFIG or ~/.kube/config); `extra` sets e.g. the component. */
  static fromKubeconfig(file?: string, extra: Partial<ClientConfig> & { context?: string } = {}): Client {
    const { context, ...rest } = extra;
    return new Client({ ...loadKubeconfig(file, context), ...rest });
  }

  /**
   * The same server and credentials, named for a component. A client without a name takes it as
   * its program (the User-Agent's first word, which the API server uses as field manager); a
   * named one keeps its program and appends the part, as upstream's controller clients
   * (`kube-controller-manager/v… (linux/amd64) kubeling/replicaset-controller`): everything a
   * controller manager writes stays managed by `kube-controller-manager`.
   */
  withComponent(component: string): Client {
    if (!this.config.component) return new Client({ ...this.config, component });
    if (component === this.config.component) return new Client({ ...this.config });
    return new Client({ ...this.config, subComponents: [...(this.config.subComponents ?? []), component] });
  }

  get defaultNamespace(): string { return this.config.namespace ?? 'default'; }

  /** REST path of a resource, object or subresource. */
  path(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(resolveResource(ref), namespace, name, subresource);
  }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts: { namespace?: string } = {}): Promise<T> {
    const ri = resolveResource(ref);
    return this.#t.json<T>({ method: 'GET', path: resourcePath(ri, this.#ns(ri, opts.namespace), name) });
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const ri = resolveResource(ref);
    const { namespace, ...q } = opts;
    return this.#t.json<ObjectList<T>>({ method: 'GET', path: resourcePath(ri, namespace), query: { ...q } });
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: NoInfer<T>, opts: WriteOptions = {}): Promise<T> {
    const ri = resolveResource(ref);
    const ns = this.#ns(ri, opts.namespace ?? obj.metadata?.namespace);
    return this.#t.json<T>({ method: 'POST', path: resourcePath(ri, ns), query: writeQuery(opts), body: obj });
  }

  /**
   * create() for writers that never read the created object (an event recorder): the answer
   * is not decoded. Errors throw as from create().
   */
  async createWithoutResult(ref: ResourceRef, obj: KubeObject, opts: WriteOptions = {}): Promise<void> {
    const ri = resolveResource(ref);
    const ns = this.#ns(ri, opts.namespace ?? obj.metadata?.namespace);
    return this.#t.send({ method: 'POST', path: resourcePath(ri, ns), query: writeQuery(opts), body: obj });
  }

  /** PUT: optimistic concurrency on the object's metadata.resourceVersion (ConflictError when stale). */
  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: NoInfer<T>, opts: WriteOptions = {}): Promise<T> {
    return this.#put(ref, obj, opts);
  }

  /** PUT to the status subresource: only status changes are kept. */
  async updateStatus<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: NoInfer<T>, opts: WriteOptions = {}): Promise<T> {
    return this.#put(ref, obj, opts, 'status');
  }

  async patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    return this.#t.json<T>(this.#patchRequest(ref, name, patch, opts));
  }

  /**
   * patch() for writers that never read the patched object (a fake node's status writes):
   * the answer is not decoded. Errors throw as from patch().
   */
  async patchWithoutResult(ref: ResourceRef, name: string, patch: unknown, opts: PatchOptions = {}): Promise<void> {
    return this.#t.send(this.#patchRequest(ref, name, patch, opts));
  }

  #patchRequest(ref: ResourceRef, name: string, patch: unknown, opts: PatchOptions): RawRequest {
    const ri = resolveResource(ref);
    const type = opts.type ?? 'merge';
    return {
      method: 'PATCH', path: resourcePath(ri, this.#ns(ri, opts.namespace), name, opts.subresource),
      query: { ...writeQuery(opts), force: type === 'apply' && opts.force !== undefined ? opts.force : undefined },
      contentType: PATCH_CONTENT_TYPES[type], body: patch,
    };
  }

  /** DELETE: the object (still being deleted: grace period or finalizers) or a Success Status. */
  async delete<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const ri = resolveResource(ref);
    return this.#t.json<T | Status>({
      method: 'DELETE', path: resourcePath(ri, this.#ns(ri, opts.namespace), name), body: deleteBody(opts),
    });
  }

  /** DELETE on a collection (deletecollection), narrowed by selectors. */
  async deleteCollection(ref: ResourceRef, opts: DeleteOptions & { labelSelector?: string; fieldSelector?: string } = {}): Promise<ObjectList | Status> {
    const ri = resolveResource(ref);
    return this.#t.json<ObjectList | Status>({
      method: 'DELETE', path: resourcePath(ri, opts.namespace),
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }, body: deleteBody(opts),
    });
  }

  /**
   * Opens a watch. Iterate it (`for await`) or `forEach(cb)`; ERROR events are thrown
   * (410 Expired → GoneError); `stop()` ends it cleanly. The request starts on first iteration.
   */
  watch<T extends ObjectLike = KubeObject>(ref: ResourceRef, opts: WatchOptions = {}): WatchStream<T> {
    const ri = resolveResource(ref);
    const { namespace, signal: outer, ...q } = opts;
    const w = new WatchStream<T>(signal => this.#t.stream({
      method: 'GET', path: resourcePath(ri, namespace), query: { ...q, watch: true }, signal,
    }));
    if (outer?.aborted) w.stop();
    else outer?.addEventListener('abort', () => w.stop(), { once: true });
    return w;
  }

  /** JSON request to a subresource, e.g. POST pods/p/binding, GET deployments/d/scale. */
  async subresource<T = unknown>(ref: ResourceRef, name: string, subresource: string, opts: SubresourceOptions = {}): Promise<T> {
    const ri = resolveResource(ref);
    return this.#t.json<T>({
      method: opts.method ?? 'GET', path: resourcePath(ri, this.#ns(ri, opts.namespace), name, subresource),
      query: opts.query, body: opts.body, contentType: opts.contentType,
    });
  }

  /** subresource() for callers that never read a success's answer (pods/binding): it is not decoded. */
  async subresourceWithoutResult(ref: ResourceRef, name: string, subresource: string, opts: SubresourceOptions = {}): Promise<void> {
    const ri = resolveResource(ref);
    return this.#t.send({
      method: opts.method ?? 'POST', path: resourcePath(ri, this.#ns(ri, opts.namespace), name, subresource),
      query: opts.query, body: opts.body, contentType: opts.contentType,
    });
  }

  /** Any request; the answer whatever its status (logs, proxies, non-resource paths). */
  request(r: RawRequest): Promise<RawResponse> { return this.#t.request(r); }

  /** Any request answered with JSON; non-2xx answers throw the matching kubeling error. */
  requestJson<T = unknown>(r: RawRequest): Promise<T> { return this.#t.json<T>(r); }

  /** Any streaming request (e.g. pods/log?follow=true); destroy the response to end it. */
  stream(r: RawRequest): Promise<IncomingMessage> { return this.#t.stream(r); }

  /** Releases idle keep-alive sockets. */
  close(): void { this.#t.close(); }

  #ns(ri: ResourceInfo, ns: string | undefined): string | undefined {
    return ri.namespaced ? ns ?? this.defaultNamespace : undefined;
  }

  async #put<T extends KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions, sub?: string): Promise<T> {
    const ri = resolveResource(ref);
    const ns = this.#ns(ri, opts.namespace ?? obj.metadata?.namespace);
    return this.#t.json<T>({ method: 'PUT', path: resourcePath(ri, ns, obj.metadata?.name ?? '', sub), query: writeQuery(opts), body: obj });
  }
}

function writeQuery(o: WriteOptions): QueryParams {
  return { fieldManager: o.fieldManager, dryRun: o.dryRun ? 'All' : undefined, fieldValidation: o.fieldValidation };
}

function deleteBody(o: DeleteOptions): Record<string, unknown> {
  const b: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o.gracePeriodSeconds !== undefined) b.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.propagationPolicy) b.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) b.preconditions = o.preconditions;
  if (o.dryRun) b.dryRun = ['All'];
  return b;
}
