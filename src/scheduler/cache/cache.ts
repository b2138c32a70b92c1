/**
 * The scheduler's view of the cluster (upstream's cache): nodes with the pods on them,
 * including *assumed* pods — placed by a finished cycle but not yet seen bound through
 * the watch — so consecutive cycles see earlier placements at once. It is also the
 * cycle's snapshot: a cycle runs synchronously, so nothing changes under it.
 */
import type { NodeLister } from '../framework/interface.js';
import { NodeInfo, type PodInfo } from '../framework/node-info.js';
import type { Node } from '../framework/types.js';
import { normalizedImageName } from '../plugins/image-locality.js';

interface PodState { pi: PodInfo; node: string; assumed: boolean }

export class SchedulerCache implements NodeLister {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #pods = new Map<string, PodState>();
  /** node → image → size, and image → how many nodes have it. */
  readonly #images = new Map<string, Map<string, number>>();
  readonly #imageCount = new Map<string, number>();
  #list?: NodeInfo[];
  #withAffinity?: NodeInfo[];
  #withAnti?: NodeInfo[];

  // --- NodeLister (the snapshot plugins read) ---

  list(): readonly NodeInfo[] {
    return (this.#list ??= [...this.#nodes.values()].filter(n => n.node));
  }
  get(name: string): NodeInfo | undefined { const n = this.#nodes.get(name); return n?.node ? n : undefined; }
  havePodsWithAffinity(): readonly NodeInfo[] {
    return (this.#withAffinity ??= this.list().filter(n => n.podsWithAffinity.length > 0));
  }
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    return (this.#withAnti ??= this.list().filter(n => n.podsWithRequiredAntiAffinity.length > 0));
  }
  imageNodeCount(image: string): number { return this.#imageCount.get(image) ?? 0; }
  imageSize(node: string, image: string): number | undefined { return this.#images.get(node)?.get(image); }

  get nodeCount(): number { return this.list().length; }

  // --- pods ---

  isAssumed(key: string): boolean { return this.#pods.get(key)?.assumed ?? false; }
  podNode(key: string): string | undefined { return this.#pods.get(key)?.node; }

  /** A finished cycle placed the pod: count it on the node before the binding is confirmed. */
  assumePod(pi: PodInfo, node: string): void {
    if (this.#pods.has(pi.key)) throw new Error(`pod ${pi.key} is already in the cache`);
    this.#place(pi, node, true);
  }

  /** Binding failed: undo the assumption. */
  forgetPod(key: string): void {
    const st = this.#pods.get(key);
    if (st?.assumed) this.#unplace(key);
  }

  /** An assigned pod seen through the watch (confirms an assumed one). */
  addPod(pi: PodInfo, node: string): void {
    const st = this.#pods.get(pi.key);
    if (st) this.#unplace(pi.key);
    this.#place(pi, node, false);
  }

  updatePod(pi: PodInfo, node: string): void { this.addPod(pi, node); }

  removePod(key: string): void {
    if (this.#pods.has(key)) this.#unplace(key);
  }

  #place(pi: PodInfo, node: string, assumed: boolean): void {
    let ni = this.#nodes.get(node);
    // Pods may arrive before their node: keep them on a placeholder (not listed).
    if (!ni) this.#nodes.set(node, (ni = new NodeInfo(node)));
    ni.addPod(pi);
    this.#pods.set(pi.key, { pi, node, assumed });
    this.#touch(pi);
  }

  #unplace(key: string): void {
    const st = this.#pods.get(key)!;
    this.#pods.delete(key);
    const ni = this.#nodes.get(st.node);
    ni?.removePod(key);
    if (ni && !ni.node && ni.pods.length === 0) { this.#nodes.delete(st.node); this.#list = undefined; }
    this.#touch(st.pi);
  }

  #touch(pi: PodInfo): void {
    if (pi.hasAffinity) this.#withAffinity = undefined;
    if (pi.requiredAntiAffinity.length) this.#withAnti = undefined;
  }

  // --- nodes ---

  addNode(node: Node): void { this.updateNode(node); }

  updateNode(node: Node): void {
    const name = node.metadata!.name!;
    let ni = this.#nodes.get(name);
    if (!ni) { this.#nodes.set(name, (ni = new NodeInfo(name))); }
    const wasListed = !!ni.node;
    ni.setNode(node);
    if (!wasListed) this.#invalidate();
    this.#setImages(name, node);
  }

  removeNode(name: string): void {
    const ni = this.#nodes.get(name);
    if (!ni) return;
    this.#setImages(name, undefined);
    // Pods still on it stay accounted until their deletion is seen.
    if (ni.pods.length) ni.node = undefined; else this.#nodes.delete(name);
    this.#invalidate();
  }

  #invalidate(): void { this.#list = undefined; this.#withAffinity = undefined; this.#withAnti = undefined; }

  #setImages(name: string, node: Node | undefined): void {
    const old = this.#images.get(name);
    for (const img of old?.keys() ?? []) {
      const c = (this.#imageCount.get(img) ?? 1) - 1;
      if (c <= 0) this.#imageCount.delete(img); else this.#imageCount.set(img, c);
    }
    this.#images.delete(name);
    const imgs = node?.status?.images ?? [];
    if (!imgs.length) return;
    const m = new Map<string, number>();
    for (const i of imgs) for (const n of i.names ?? []) m.set(normalizedImageName(n), i.sizeBytes ?? 0);
    this.#images.set(name, m);
    for (const img of m.keys()) this.#imageCount.set(img, (this.#imageCount.get(img) ?? 0) + 1);
  }

  /** For tests and debugging. */
  dump(): Record<string, string[]> {
    return Object.fromEntries([...this.#nodes].map(([n, ni]) => [n, ni.pods.map(p => p.key)]));
  }
}
