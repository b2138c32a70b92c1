/**
 * The ServiceAccounts controller (upstream's pkg/controller/serviceaccount): every active
 * namespace has a `default` ServiceAccount. A namespace being added or updated, or one of
 * the managed accounts being deleted, queues the namespace; the sync creates what is missing.
 */
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { defaultLogger, deletedObject, type Informer } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import { isNamespaceTerminating, type ControllerContext, type RunningController } from './controller-utils.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
export const SERVICE_ACCOUNT_COMPONENT = 'serviceaccount-controller';
/** Accounts every namespace gets (upstream's --service-accounts default). */
export const MANAGED_ACCOUNTS = ['default'];

export class ServiceAccountsController implements RunningController {
  readonly name = SERVICE_ACCOUNT_COMPONENT;
  readonly namespaces: Informer<KubeObject>;
  readonly accounts: Informer<KubeObject>;
  readonly #ctx: ControllerContext;
  readonly #loop: ControllerLoop;

  constructor(ctx: ControllerContext, opts: { workers?: number } = {}) {
    this.#ctx = { ...ctx, client: ctx.client.withComponent(SERVICE_ACCOUNT_COMPONENT) };
    this.namespaces = ctx.informers.informerFor(NAMESPACES);
    this.accounts = ctx.informers.informerFor(SERVICE_ACCOUNTS);
    this.#loop = new ControllerLoop({
      name: SERVICE_ACCOUNT_COMPONENT, sync: ns => this.sync(ns), workers: opts.workers ?? 1,
      informers: [this.namespaces, this.accounts], logger: ctx.logger ?? defaultLogger,
    });
    const ns = (o: KubeObject) => this.#loop.enqueue(o.metadata!.name!);
    this.#loop.on(this.namespaces, { onAdd: ns, onUpdate: (_old, cur) => ns(cur) });
    this.#loop.on(this.accounts, {
      onDelete: o => {
        const sa = deletedObject(o);
        if (sa && MANAGED_ACCOUNTS.includes(sa.metadata?.name ?? '')) this.#loop.enqueue(sa.metadata!.namespace!);
      },
    });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> {
    await this.#loop.stop();
    this.#ctx.client.close();
  }

  /** Creates the missing managed accounts of one namespace (nothing when it is not Active). */
  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase !== 'Active') return;
    for (const name of MANAGED_ACCOUNTS) {
      if (this.accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.#ctx.client.create(SERVICE_ACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
      } catch (e) {
        // Already there (the cache lagged), or the namespace went away or started terminating meanwhile.
        if (e instanceof AlreadyExistsError || e instanceof NotFoundError || isNamespaceTerminating(e)) continue;
        throw e;
      }
    }
  }
}
