/**
 * One pod's worker: every change to the pod (API updates, container exits, probe
 * results, back-off expiry, periodic resync) triggers a sync, and syncs of one pod never
 * overlap. A sync reads what runs, decides (computePodActions), acts, and reports status.
 * Deletion runs the graceful stop, tears everything down and removes the API object.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { POD_UID } from '../labels.js';
import type { PodRuntimeFacts } from '../containers/downward.js';
import { sandboxConfig } from '../containers/sandbox-config.js';
import { computePodActions, initializedIn, type PodActions, type StartAction } from './actions.js';
import { CrashBackoff } from './backoff.js';
import { podDesc, podRef, type PodContext } from './context.js';
import { gcPod, TerminationMessages } from './gc.js';
import { killContainer, killPod } from './kill.js';
import { killNow, removePod } from './teardown.js';
import { rfc3339 } from './phase.js';
import { buildPodStatus, type Waiting } from './pod-status.js';
import { isTerminalPhase, nameOf, nextAttempt, specEntries, type PodView } from './pod-view.js';
import { ensureImage, startPodContainer } from './start-container.js';
import type { ImageResult } from '../containers/images.js';

const RETRY_MS = 2_000;

export function humanDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

/** Nothing to do: no sandbox, start, kill, back-off or end. */
const idle = (a: PodActions) => !a.createSandbox && !a.killSandbox && !a.start.length && !a.kill.length && !a.backoff.size && !a.terminal;

export class PodWorker {
  readonly uid: string;
  readonly #cx: PodContext;
  readonly #onDone: (uid: string) => void;
  #pod?: Pod;
  #lastPod: Pod;
  #dirty = false;
  #running = false;
  #stopped = false;
  #done = false;
  #wake?: { at: number; timer: NodeJS.Timeout };
  #resync?: NodeJS.Timeout;
  readonly #waiting = new Map<string, Waiting>();
  readonly #crash = new CrashBackoff();
  readonly #announced = new Set<string>();
  readonly #exitWatch = new Map<string, AbortController>();
  readonly #messages = new TerminationMessages();
  #terminal?: 'Succeeded' | 'Failed';
  #startTime?: string;
  #killAt?: number;
  #hurryTimer?: NodeJS.Timeout;
  /** When this agent first saw the pod, until its start was measured (kubelet_pod_start_duration_seconds). */
  #firstSeen?: Date = new Date();
  #startedHere = false;

  constructor(pod: Pod, cx: PodContext, onDone: (uid: string) => void) {
    this.uid = pod.metadata!.uid!;
    this.#pod = pod;
    this.#lastPod = pod;
    this.#cx = cx;
    this.#onDone = onDone;
  }

  get done(): boolean { return this.#done; }
  get pod(): Pod { return this.#lastPod; }

  /** A new version of the pod from the API, or undefined once it is gone from the API. */
  update(pod: Pod | undefined): void {
    // The echo of our own status write changes nothing we act on (the kubelet reconciles, not syncs, on those).
    const echo = !!pod && this.#cx.statuses.isEcho(pod, this.#pod);
    this.#pod = pod;
    if (pod) this.#lastPod = pod;
    const m = pod?.metadata;
    const graceMs = !pod ? 0 : m?.deletionTimestamp ? (m.deletionGracePeriodSeconds ?? 30) * 1000 : undefined;
    if (graceMs !== undefined && this.#killAt !== undefined && Date.now() + graceMs < this.#killAt) this.#hurry(Date.now() + graceMs);
    if (!echo) this.trigger();
  }

  trigger(): void {
    if (this.#done || this.#stopped) return;
    this.#dirty = true;
    if (!this.#running) void this.#loop();
  }

  /** Agent shutdown: stop reacting; containers keep running (a new agent adopts them). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#wake?.timer);
    clearTimeout(this.#resync);
    clearTimeout(this.#hurryTimer);
    for (const ac of this.#exitWatch.values()) ac.abort();
    this.#cx.probes.removePod(this.uid);
  }

  async #loop(): Promise<void> {
    this.#running = true;
    while (this.#dirty && !this.#stopped && !this.#done) {
      this.#dirty = false;
      try {
        await this.#sync();
      } catch (e) {
        this.#cx.logger.error('pod sync failed', { pod: podDesc(this.#lastPod), error: (e as Error).message });
        this.#wakeIn(RETRY_MS);
      }
    }
    this.#running = false;
    if (!this.#done && !this.#stopped) {
      clearTimeout(this.#resync);
      this.#resync = setTimeout(() => this.trigger(), this.#cx.resyncIntervalMs * (0.9 + Math.random() * 0.2));
      this.#resync.unref();
    }
  }

  #wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.#wake && this.#wake.at <= at) return;
    clearTimeout(this.#wake?.timer);
    this.#wake = { at, timer: setTimeout(() => { this.#wake = undefined; this.trigger(); }, ms) };
  }

  async #view(): Promise<PodView> {
    const labels = { [POD_UID]: this.uid };
    const [sandboxes, containers] = await Promise.all([this.#cx.runtime.listSandboxes({ labels }), this.#cx.runtime.listContainers({ labels })]);
    sandboxes.sort((a, b) => b.attempt - a.attempt || b.createdAt.getTime() - a.createdAt.getTime());
    return { sandboxes, containers };
  }

  #facts(view: PodView): PodRuntimeFacts {
    const sb = view.sandboxes[0];
    return { podIPs: sb?.state === 'ready' ? sb.ips : [], hostIP: this.#cx.hostIP(), nodeAllocatable: this.#cx.allocatable() };
  }

  async #sync(): Promise<void> {
    const pod = this.#pod;
    // First of all, the token request: the API call a starting pod's volumes wait for, on the
    // wire before this pod's first status write (in a burst, every pod's) rather than after it.
    if (pod && !pod.metadata?.deletionTimestamp && !this.#terminal && !isTerminalPhase(pod.status?.phase)) this.#cx.volumes.prefetch(pod);
    let view = await this.#view();
    if (!pod || pod.metadata?.deletionTimestamp) return this.#terminate(pod, view);
    if (isTerminalPhase(pod.status?.phase)) this.#terminal ??= pod.status!.phase as 'Succeeded' | 'Failed';
    this.#startTime ??= pod.status?.startTime ?? rfc3339(Date.now());
    if (this.#terminal) return this.#finish(pod, view, false);
    // Pending/ContainerCreating: it waits for the status this start ends with, which replaces
    // it (one write per pod started, not two; in a burst, every pod's), for at most a sync
    // period. Upstream's status manager writes it at once unless it is behind; here a start
    // that is merely slow shows plain Pending until then. One waiting on something slow
    // shows it at once: an image pull, a postStart hook, a failure (which ends the sync).
    if (!pod.status?.containerStatuses) this.#report(pod, view, false, this.#cx.resyncIntervalMs);

    const a = this.#actions(pod, view);
    if (a.terminal) {
      this.#terminal = a.terminal;
      return this.#finish(pod, view, a.initialized);
    }
    const changed = await this.#act(pod, view, a);
    if (changed) view = await this.#view();
    if (await gcPod(this.#cx, view)) view = await this.#view();
    this.#adopt(pod, view);
    await this.#messages.load(view);
    this.#report(pod, view, initializedIn(pod, view, id => this.#cx.probes.started(id)));
    this.#measureStart(pod, view);
    // Another pass only when the new look asks for more (the next init container, a
    // crashed start, a kill): a pod whose containers all started is done for now.
    if (changed && !idle(this.#actions(pod, view))) this.trigger();
  }

  #actions(pod: Pod, view: PodView): PodActions {
    return computePodActions({
      pod, view, probes: { started: id => this.#cx.probes.started(id), unhealthy: id => this.#cx.probes.unhealthy(id) },
      backoffLeft: (name, last) => this.#crash.left(name, last),
    });
  }

  /** Executes the actions; true when something changed (a new look is due). */
  async #act(pod: Pod, view: PodView, a: PodActions): Promise<boolean> {
    const cx = this.#cx;
    const ref = podRef(pod);
    let changed = false;
    if (a.killSandbox) {
      cx.recorder.event(ref, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await killPod(cx, pod, { sandboxes: view.sandboxes.filter(s => s.id === a.killSandbox), containers: view.containers.filter(c => c.sandboxId === a.killSandbox) }, 2);
      changed = true;
    }
    let volumes: Map<string, string>;
    let sandbox = view.sandboxes[0];
    const facts = this.#facts(view);
    const t0 = performance.now();
    let sandboxMs: number | undefined;
    let mountMs: number | undefined;
    /** The sandbox's own start (sandboxMs also waits for the volumes). */
    let runSandboxMs: number | undefined;
    // Images are checked (or pulled) while the volumes are set up and the sandbox starts; the
    // first container needs them. The volumes go first: their token request is the API call
    // the pod's start waits for.
    const images = new Map<string, Promise<ImageResult>>();
    if (a.createSandbox) {
      const attempt = view.sandboxes.length ? view.sandboxes[0]!.attempt + 1 : 0;
      const mounted = cx.volumes.mount(pod, facts).finally(() => { mountMs = Math.round(performance.now() - t0); });
      const sandboxed = cx.runtime.runSandbox(sandboxConfig(pod, attempt, cx.dnsService(), cx.clusterDomain))
        .finally(() => { runSandboxMs = Math.round(performance.now() - t0); });
      for (const s of a.start) images.set(s.entry.c.name, ensureImage(cx, pod, s.entry));
      const [v, sb] = await Promise.allSettled([mounted, sandboxed]);
      if (sb.status === 'rejected') {
        await Promise.all(images.values());
        cx.recorder.event(ref, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(sb.reason as Error).message}`);
        this.#wakeIn(RETRY_MS * 2);
        return changed;
      }
      sandbox = sb.value;
      sandboxMs = Math.round(performance.now() - t0);
      facts.podIPs = sandbox.hostNetwork ? [] : sandbox.ips;
      changed = true;
      if (v.status === 'rejected') {
        await Promise.all(images.values());
        return this.#mountFailed(pod, v.reason as Error) || changed;
      }
      volumes = v.value;
    } else {
      try { volumes = await cx.volumes.mount(pod, facts); } catch (e) { return this.#mountFailed(pod, e as Error) || changed; }
    }
    if (a.kill.length) {
      const grace = Number(pod.spec?.terminationGracePeriodSeconds ?? 30);
      await Promise.all(a.kill.map(k => killContainer(cx, pod, view.containers.find(c => c.id === k.id)!, grace, k.message)));
      changed = true;
    }
    for (const [name, left] of a.backoff) {
      const delay = this.#crash.delay(name);
      this.#waiting.set(name, { reason: 'CrashLoopBackOff', message: `back-off ${humanDelay(delay)} restarting failed container=${name} pod=${podDesc(pod)}` });
      if (!this.#announced.has(name + delay)) {
        this.#announced.add(name + delay);
        const e = specEntries(pod).all.find(x => x.c.name === name);
        cx.recorder.event(ref, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${podDesc(pod)}`, { fieldPath: e?.fieldPath });
      }
      this.#wakeIn(left);
    }
    if (!a.start.length) return changed;
    // A start that created nothing (image, config) changed nothing: its retry is a wake-up, not a new look.
    let created = false;
    const start = async (s: StartAction) => {
      const name = s.entry.c.name;
      if (s.restart) this.#crash.bump(name);
      const r = await startPodContainer(cx, { pod, entry: s.entry, sandboxId: sandbox!.id, attempt: nextAttempt(view, name), facts, volumes, image: images.get(name) });
      if (r.ok || r.id) created = true;
      if (r.ok) {
        this.#startedHere = true;
        cx.metrics?.containerStarted(s.entry.kind === 'app' ? 'container' : 'init_container');
        this.#waiting.delete(name);
        this.#announced.clear();
      } else if (!r.id) {
        this.#waiting.set(name, r.waiting);
        this.#wakeIn(r.retryMs ?? RETRY_MS * 2);
      }
    };
    const seq = a.start.filter(s => s.entry.kind !== 'app');
    for (const s of seq) await start(s);
    await Promise.all(a.start.filter(s => s.entry.kind === 'app').map(start));
    // Where a pod start's time goes (DESIGN §2: measure it).
    // seenMs: from the informer's add to this start (the pod's wait for the worker).
    const seenMs = this.#firstSeen && Math.round(Date.now() - this.#firstSeen.getTime() - (performance.now() - t0));
    cx.logger.info('containers started', { pod: podDesc(pod), names: a.start.map(s => s.entry.c.name), seenMs, sandboxMs, runSandboxMs, mountMs, totalMs: Math.round(performance.now() - t0) });
    return changed || created;
  }

  /** Once every app container runs for the first time: the pod start latency, as the kubelet measures it. */
  #measureStart(pod: Pod, view: PodView): void {
    if (!this.#firstSeen) return;
    const running = new Set(view.containers.filter(c => c.state === 'running').map(nameOf));
    if (!(pod.spec?.containers ?? []).every(c => running.has(c.name))) return;
    // Pods adopted already running (agent restart) were not started by this agent: not measured.
    if (this.#startedHere) this.#cx.metrics?.podStarted(this.#firstSeen);
    this.#firstSeen = undefined;
  }

  #mountFailed(pod: Pod, e: Error): boolean {
    this.#cx.recorder.event(podRef(pod), 'Warning', 'FailedMount', e.message);
    this.#wakeIn(RETRY_MS);
    return false;
  }

  /** Exit watchers and probes for running containers (also those adopted after a restart). */
  #adopt(pod: Pod, view: PodView): void {
    const sb = view.sandboxes[0];
    const podIP = sb?.hostNetwork ? this.#cx.hostIP() : (sb?.ips[0] ?? '');
    const entries = specEntries(pod).all;
    for (const c of view.containers) {
      if (c.state !== 'running') continue;
      if (!this.#exitWatch.has(c.id)) {
        const ac = new AbortController();
        this.#exitWatch.set(c.id, ac);
        void this.#cx.runtime.waitContainer(c.id, ac.signal).then(() => {
          this.#exitWatch.delete(c.id);
          if (!ac.signal.aborted) this.trigger();
        }, () => this.#exitWatch.delete(c.id));
      }
      const e = entries.find(x => x.c.name === nameOf(c));
      if (e && !this.#cx.probes.has(c.id) && (e.c.startupProbe || e.c.livenessProbe || e.c.readinessProbe)) {
        const api = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(s => s.containerID === `runc://${c.id}`);
        this.#cx.probes.add({ uid: this.uid, ref: podRef(pod), fieldPath: e.fieldPath, containerId: c.id, container: e.c, podIP, changed: () => this.trigger() },
          c.startedAt ?? new Date(), { started: api?.started, ready: api?.ready });
      }
    }
  }

  #report(pod: Pod, view: PodView, initialized: boolean, deferMs?: number): void {
    const status = buildPodStatus({
      pod, view, hostIP: this.#cx.hostIP(), waiting: this.#waiting, initialized, terminal: this.#terminal,
      ready: id => this.#cx.probes.ready(id), started: id => this.#cx.probes.started(id),
      message: s => this.#messages.get(s), startTime: this.#startTime ?? rfc3339(Date.now()), previous: this.#cx.statuses.get(this.uid),
    });
    this.#cx.statuses.set(pod, status, { deferMs });
  }

  /** The pod ended (Succeeded/Failed): stop what still runs, release the sandbox and volumes. */
  async #finish(pod: Pod, view: PodView, initialized: boolean): Promise<void> {
    if (view.containers.some(c => c.state === 'running') || view.sandboxes.some(s => s.state === 'ready')) {
      await killPod(this.#cx, pod, view, Number(pod.spec?.terminationGracePeriodSeconds ?? 30));
      this.#cx.probes.removePod(this.uid);
      view = await this.#view();
      await this.#messages.load(view); // before the teardown removes the termination-message files
      await this.#cx.volumes.teardown(this.uid);
    }
    await this.#messages.load(view);
    this.#waiting.clear();
    this.#report(pod, view, initialized || pod.status?.conditions?.some(c => c.type === 'Initialized' && c.status === 'True') === true);
  }

  /** Graceful deletion (or the pod vanished): stop, tear down, then remove the API object. */
  async #terminate(pod: Pod | undefined, view: PodView): Promise<void> {
    const grace = pod ? Number(pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) : 0;
    this.#killAt = Date.now() + grace * 1000;
    for (const ac of this.#exitWatch.values()) ac.abort();
    await removePod(this.#cx, this.#lastPod, pod, view, grace);
    clearTimeout(this.#hurryTimer);
    this.#cx.statuses.forget(this.uid);
    this.#done = true;
    this.#onDone(this.uid);
  }

  /** A shorter grace period arrived (or a forced delete) while stopping: SIGKILL at the new deadline. */
  #hurry(at: number): void {
    this.#killAt = at;
    clearTimeout(this.#hurryTimer);
    this.#hurryTimer = setTimeout(() => killNow(this.#cx, this.uid), Math.max(0, at - Date.now()));
  }
}
