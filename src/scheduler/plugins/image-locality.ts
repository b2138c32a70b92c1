/**
 * ImageLocality: prefers nodes that already hold the pod's images (node.status.images),
 * weighted by how widely each image is spread so one node is not favoured forever.
 */
import type { CycleState } from '../framework/cycle-state.js';
import type { Handle, NodeLister, PreScorePlugin, ScorePlugin } from '../framework/interface.js';
import { SKIP, SUCCESS, type Status } from '../framework/status.js';
import { MAX_NODE_SCORE } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';

export const NAME = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** `busybox` → `busybox:latest` (how nodes report names). Digests are left alone. */
export function normalizedImageName(name: string): string {
  if (name.includes('@')) return name;
  const slash = name.lastIndexOf('/');
  return name.slice(slash + 1).includes(':') ? name : `${name}:latest`;
}

const KEY = 'PreScore' + NAME;
class ImageState {
  constructor(readonly images: string[], readonly containers: number) {}
  clone() { return this; }
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  constructor(readonly nodes: NodeLister) {}

  preScore(state: CycleState, pod: PodInfo): Status {
    const containers = [...(pod.pod.spec?.initContainers ?? []), ...(pod.pod.spec?.containers ?? [])];
    const images = containers.flatMap(c => (c.image ? [normalizedImageName(c.image)] : []));
    // No node reports any of these images: every node would score 0.
    if (!images.some(i => this.nodes.imageNodeCount(i) > 0)) return SKIP;
    state.write(KEY, new ImageState(images, containers.length));
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const st = state.read<ImageState>(KEY);
    const total = this.nodes.list().length;
    if (!st || !total || st.containers === 0) return 0;
    let sum = 0;
    for (const img of st.images) {
      const size = this.nodes.imageSize(node.name, img);
      if (size === undefined) continue;
      sum += size * (this.nodes.imageNodeCount(img) / total);
    }
    const max = MAX_CONTAINER_THRESHOLD * st.containers;
    const s = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return Math.floor((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  }
}

export const newImageLocality = (_a: unknown, h: Handle): ImageLocality => new ImageLocality(h.nodes);
