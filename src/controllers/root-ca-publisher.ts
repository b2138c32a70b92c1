/**
 * The root CA publisher (upstream's root-ca-cert-publisher controller): every active
 * namespace holds the ConfigMap `kube-root-ca.crt` with the cluster CA under `ca.crt`, which
 * service-account token volumes project next to the token. A namespace appearing, or the
 * ConfigMap changing or going away, queues the namespace; the sync creates or corrects it.
 */
import { AlreadyExistsError, NotFoundError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { findResource } from '../api/resources.js';
import { defaultLogger, deletedObject, type Informer } from '../client/index.js';
import { ControllerLoop } from './controller-utils-loop.js';
import { isNamespaceTerminating, type ControllerContext, type RunningController } from './controller-utils.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_COMPONENT = 'root-ca-cert-publisher';
export const ROOT_CA_DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCaPublisher implements RunningController {
  readonly name = ROOT_CA_COMPONENT;
  readonly namespaces: Informer<KubeObject>;
  readonly configMaps: Informer<KubeObject>;
  readonly #ctx: ControllerContext;
  readonly #loop: ControllerLoop;
  readonly #ca: string;

  constructor(ctx: ControllerContext, caCert: string) {
    this.#ctx = { ...ctx, client: ctx.client.withComponent(ROOT_CA_COMPONENT) };
    this.#ca = caCert;
    this.namespaces = ctx.informers.informerFor(NAMESPACES);
    // Only the one ConfigMap per namespace: the cache holds nothing else.
    this.configMaps = ctx.informers.informerFor(CONFIGMAPS, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
    this.#loop = new ControllerLoop({
      name: ROOT_CA_COMPONENT, sync: ns => this.sync(ns), informers: [this.namespaces, this.configMaps], logger: ctx.logger ?? defaultLogger,
    });
    const ns = (o: KubeObject) => this.#loop.enqueue(o.metadata!.name!);
    const cm = (o: KubeObject | undefined) => { if (o?.metadata?.namespace) this.#loop.enqueue(o.metadata.namespace); };
    this.#loop.on(this.namespaces, { onAdd: ns, onUpdate: (_old, cur) => ns(cur) });
    this.#loop.on(this.configMaps, { onUpdate: (_old, cur) => cm(cur), onDelete: o => cm(deletedObject(o)) });
  }

  start(): this { this.#loop.start(); return this; }

  async stop(): Promise<void> {
    await this.#loop.stop();
    this.#ctx.client.close();
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const cur = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    const data = { 'ca.crt': this.#ca };
    try {
      if (!cur) {
        await this.#ctx.client.create(CONFIGMAPS, {
          apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data,
        });
      } else if ((cur.data as Record<string, string> | undefined)?.['ca.crt'] !== this.#ca || Object.keys(cur.data ?? {}).length !== 1 || cur.binaryData) {
        const annotations = { ...(cur.metadata?.annotations ?? {}), 'kubernetes.io/description': ROOT_CA_DESCRIPTION };
        const { binaryData: _b, ...rest } = cur;
        await this.#ctx.client.update(CONFIGMAPS, { ...rest, metadata: { ...cur.metadata, annotations }, data });
      }
    } catch (e) {
      // Created meanwhile (the cache lagged), or the namespace went away or started terminating.
      if (e instanceof AlreadyExistsError || e instanceof NotFoundError || isNamespaceTerminating(e)) return;
      throw e;
    }
  }
}
