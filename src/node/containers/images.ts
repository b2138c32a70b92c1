/**
 * Getting a container's image onto the node under its imagePullPolicy, with the kubelet's
 * reasons (ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName) and events.
 * Concurrent pulls of one image share the work.
 *
 * One deliberate difference from upstream: with `Always`, when the registry cannot be
 * reached at all (no network, unknown host) and the image is already local, the local
 * image is used. Setup builds `busybox` locally, and `image: busybox` defaults to Always.
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import type { EventRecorder, Logger, ObjectReference } from '../../client/index.js';
import { parseReference, type ImageService } from '../runtime/index.js';
import type { Backoff } from '../pods/backoff.js';

/** A failure says when to look again (`retryMs`): soon after ErrImagePull (to show ImagePullBackOff), else when the back-off ends. */
export type ImageResult = { ok: true } | { ok: false; reason: string; message: string; retryMs?: number };

const UNREACHABLE_CACHE_MS = 30_000;

export class ImageManager {
  readonly #images: ImageService;
  readonly #recorder: EventRecorder;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #inflight = new Map<string, Promise<{ bytes: number }>>();
  /** Presence checks under way: pods starting together share one look at the store. */
  readonly #looking = new Map<string, Promise<boolean>>();
  /** Registries found unreachable recently: Always falls back to local copies at once. */
  readonly #unreachable = new Map<string, number>();

  constructor(o: { images: ImageService; recorder: EventRecorder; logger: Logger; backoff: Backoff }) {
    this.#images = o.images;
    this.#recorder = o.recorder;
    this.#log = o.logger;
    this.#backoff = o.backoff;
  }

  /** `onPull`: called as a pull begins (the pod's start now waits on the network). */
  async ensure(podKey: string, ref: ObjectReference, c: Container, fieldPath: string, onPull?: () => void): Promise<ImageResult> {
    const image = c.image ?? '';
    const ev = (type: 'Normal' | 'Warning', reason: string, msg: string) => this.#recorder.event(ref, type, reason, msg, { fieldPath });
    let domain: string;
    try {
      domain = parseReference(image).domain;
    } catch {
      const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
      ev('Warning', 'InspectFailed', message);
      ev('Warning', 'Failed', 'Error: InvalidImageName');
      return { ok: false, reason: 'InvalidImageName', message };
    }
    const present = await this.#has(image);
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    const alreadyPresent = () => { ev('Normal', 'Pulled', `Container image "${image}" already present on machine`); return { ok: true } as const; };
    if (policy === 'Never') {
      if (present) return alreadyPresent();
      const message = `Container image "${image}" is not present with pull policy of Never`;
      ev('Warning', 'ErrImageNeverPull', message);
      ev('Warning', 'Failed', 'Error: ErrImageNeverPull');
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    if (policy !== 'Always' && present) return alreadyPresent();
    if (policy === 'Always' && present && (this.#unreachable.get(domain) ?? 0) > Date.now()) return alreadyPresent();

    const key = `${podKey}/${image}`;
    const left = this.#backoff.remaining(key);
    if (left > 0) {
      const message = `Back-off pulling image "${image}"`;
      ev('Normal', 'BackOff', message);
      ev('Warning', 'Failed', 'Error: ImagePullBackOff');
      return { ok: false, reason: 'ImagePullBackOff', message, retryMs: left };
    }
    ev('Normal', 'Pulling', `Pulling image "${image}"`);
    onPull?.();
    const t0 = performance.now();
    try {
      const { bytes } = await this.#pull(image);
      const s = ((performance.now() - t0) / 1000).toFixed(3);
      ev('Normal', 'Pulled', `Successfully pulled image "${image}" in ${s}s (${s}s including waiting). Image size: ${bytes} bytes.`);
      this.#backoff.reset(key);
      return { ok: true };
    } catch (e) {
      const err = e as Error;
      if (present && err.cause !== undefined && /^cannot reach/.test(err.message)) {
        this.#unreachable.set(domain, Date.now() + UNREACHABLE_CACHE_MS);
        this.#log.warn('registry unreachable; using the local image', { image, error: err.message });
        return alreadyPresent();
      }
      this.#backoff.next(key);
      const message = `Failed to pull image "${image}": ${err.message}`;
      ev('Warning', 'Failed', message);
      ev('Warning', 'Failed', 'Error: ErrImagePull');
      return { ok: false, reason: 'ErrImagePull', message, retryMs: 1000 };
    }
  }

  #has(image: string): Promise<boolean> {
    let p = this.#looking.get(image);
    if (!p) {
      p = this.#images.has(image).finally(() => this.#looking.delete(image));
      this.#looking.set(image, p);
    }
    return p;
  }

  #pull(image: string): Promise<{ bytes: number }> {
    let p = this.#inflight.get(image);
    if (!p) {
      p = this.#images.pull(image).then(r => ({ bytes: r.size })).finally(() => this.#inflight.delete(image));
      this.#inflight.set(image, p);
    }
    return p;
  }

  forgetPod(podKey: string): void { this.#backoff.forgetPrefix(`${podKey}/`); }
}
