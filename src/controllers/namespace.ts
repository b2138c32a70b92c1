/**
 * The namespace controller (upstream's pkg/controller/namespace): a namespace marked for
 * deletion (phase Terminating) has all its content deleted; its status conditions say
 * what is left and why; once nothing is left, `kubernetes` is removed from
 * spec.finalizers through namespaces/NAME/finalize and the API server removes it.
 */
import { ConflictError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { defaultLogger, realClock, type Clock, type Informer, type Logger } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import { parseTime, rfc3339, type Condition, type ControllerContext, type RunningController } from './controller-utils.js';
import { deleteAllContent, type ContentResult } from './namespace-deleter.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
export const NAMESPACE_COMPONENT = 'namespace-controller';
const FINALIZER = 'kubernetes';

export class NamespaceController implements RunningController {
  readonly name = NAMESPACE_COMPONENT;
  readonly informer: Informer<KubeObject>;
  readonly #ctx: ControllerContext;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext, opts: { workers?: number } = {}) {
    this.#ctx = ctx;
    this.#clock = ctx.clock ?? realClock;
    this.#log = ctx.logger ?? defaultLogger;
    this.informer = ctx.informers.informerFor(NAMESPACES);
    this.#loop = new ControllerLoop({
      name: NAMESPACE_COMPONENT, sync: name => this.sync(name), workers: opts.workers ?? 5,
      informers: [this.informer], logger: this.#log,
    });
    const maybe = (ns: KubeObject) => { if (ns.metadata?.deletionTimestamp) this.#loop.enqueue(ns.metadata.name!); };
    this.#loop.on(this.informer, { onAdd: maybe, onUpdate: (_o, ns) => maybe(ns) });
  }

  start(): this { this.#loop.start(); return this; }

  stop(): Promise<void> { return this.#loop.stop(); }

  async sync(name: string): Promise<void> {
    const cached = this.informer.get(name);
    if (!cached?.metadata?.deletionTimestamp) return;
    if (!((cached.spec?.finalizers as string[] | undefined) ?? []).includes(FINALIZER)) return;
    const now = this.#clock.now();
    const deletedAt = parseTime(cached.metadata.deletionTimestamp) ?? now;
    const result = await deleteAllContent(this.#ctx.client, name, deletedAt, now);
    const ns = await this.#updateConditions(cached, result);
    if (!ns) return;
    if (result.failures.length) {
      throw new Error(`deletion of namespace ${name} failed: ${result.failures.join('; ')}`);
    }
    if (result.estimate > 0) {
      // Pods still in their grace period or objects held by finalizers: look again later.
      this.#loop.enqueueAfter(name, (Math.floor(result.estimate / 2) + 1) * 1000);
      return;
    }
    await this.#finalize(ns);
  }

  /** Writes the deletion conditions when they changed; undefined if the namespace is gone. */
  async #updateConditions(ns: KubeObject, r: ContentResult): Promise<KubeObject | undefined> {
    let cur = ns;
    for (let attempt = 1; ; attempt++) {
      const next = structuredClone(cur);
      const status = (next.status ??= {});
      const conditions = mergeConditions(status.conditions ?? [], deletionConditions(r, rfc3339(this.#clock.now())));
      if (JSON.stringify(conditions) === JSON.stringify(status.conditions ?? [])) return cur;
      status.conditions = conditions;
      try {
        return await this.#ctx.client.updateStatus(NAMESPACES, next);
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        if (!(e instanceof ConflictError) || attempt >= 3) throw e;
        cur = await this.#ctx.client.get(NAMESPACES, ns.metadata!.name!);
      }
    }
  }

  /** PUT namespaces/NAME/finalize without our finalizer (retried on conflicts). */
  async #finalize(ns: KubeObject): Promise<void> {
    let cur = ns;
    for (let attempt = 1; ; attempt++) {
      const next = structuredClone(cur);
      next.spec = { ...(next.spec ?? {}), finalizers: ((next.spec?.finalizers as string[] | undefined) ?? []).filter(f => f !== FINALIZER) };
      try {
        await this.#ctx.client.subresource(NAMESPACES, ns.metadata!.name!, 'finalize', { method: 'PUT', body: next });
        this.#log.info('namespace finalized', { namespace: ns.metadata!.name });
        return;
      } catch (e) {
        if (e instanceof NotFoundError) return;
        if (!(e instanceof ConflictError) || attempt >= 3) throw e;
        try { cur = await this.#ctx.client.get(NAMESPACES, ns.metadata!.name!); } catch (g) {
          if (g instanceof NotFoundError) return;
          throw g;
        }
      }
    }
  }
}

/** The five deletion conditions upstream reports, from one pass's result. */
export function deletionConditions(r: ContentResult, now: string): Condition[] {
  const c = (type: string, bad: boolean, reason: string, message: string): Condition =>
    ({ type, status: bad ? 'True' : 'False', lastTransitionTime: now, reason, message });
  const remaining = [...r.remaining].sort().map(([res, n]) => `${res} has ${n} resource instances`);
  const fins = [...r.finalizers].sort().map(([f, n]) => `${f} in ${n} resource instances`);
  return [
    c('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
    c('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    r.failures.length
      ? c('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete all resource types, ${r.failures.length} remaining: ${r.failures.join(', ')}`)
      : c('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    remaining.length
      ? c('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${remaining.join(', ')}`)
      : c('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
    fins.length
      ? c('NamespaceFinalizersRemaining', true, 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${fins.join(', ')}`)
      : c('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}

/** New conditions replace old ones of their type; an unchanged one keeps its transition time. */
function mergeConditions(old: Condition[], fresh: Condition[]): Condition[] {
  const out = old.filter(o => !fresh.some(f => f.type === o.type));
  for (const f of fresh) {
    const prev = old.find(o => o.type === f.type);
    out.push(prev && prev.status === f.status && prev.reason === f.reason && prev.message === f.message ? prev : f);
  }
  return out;
}
