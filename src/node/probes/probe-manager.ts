/**
 * Startup, liveness and readiness probes of running containers, each on its own timer
 * with upstream's thresholds. Results are read by the pod sync (started, ready,
 * unhealthy) and every change wakes the pod's worker. Failed probes raise Unhealthy.
 */
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { EventRecorder, ObjectReference } from '../../client/index.js';
import type { Runtime } from '../runtime/index.js';
import { runHandler } from './prober.js';

type Kind = 'startup' | 'liveness' | 'readiness';
const LABEL: Record<Kind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

interface ContainerProbes {
  started: boolean;
  ready: boolean;
  unhealthy?: string;
  timers: NodeJS.Timeout[];
  stopped: boolean;
}

export interface ProbeSubject {
  uid: string;
  ref: ObjectReference;
  fieldPath: string;
  containerId: string;
  container: Container;
  podIP: string;
  /** Called when started/ready/unhealthy changed. */
  changed(): void;
}

export class ProbeManager {
  readonly #runtime: Runtime;
  readonly #recorder: EventRecorder;
  readonly #byId = new Map<string, ContainerProbes & { uid: string }>();

  constructor(o: { runtime: Runtime; recorder: EventRecorder }) {
    this.#runtime = o.runtime;
    this.#recorder = o.recorder;
  }

  started(id: string): boolean { return this.#byId.get(id)?.started ?? true; }
  ready(id: string): boolean { return this.#byId.get(id)?.ready ?? true; }
  unhealthy(id: string): string | undefined { return this.#byId.get(id)?.unhealthy; }
  has(id: string): boolean { return this.#byId.has(id); }

  /**
   * Starts probing a running container (idempotent). `startedAt` anchors initialDelaySeconds;
   * `known` carries what the API last said (a restarted agent keeps Ready pods Ready).
   */
  add(s: ProbeSubject, startedAt: Date, known: { started?: boolean; ready?: boolean } = {}): void {
    if (this.#byId.has(s.containerId)) return;
    const c = s.container;
    const st: ContainerProbes & { uid: string } = {
      uid: s.uid, started: !c.startupProbe || !!known.started, ready: !c.readinessProbe || !!known.ready, timers: [], stopped: false,
    };
    this.#byId.set(s.containerId, st);
    if (c.startupProbe) this.#loop(s, st, 'startup', c.startupProbe, startedAt);
    if (c.livenessProbe) this.#loop(s, st, 'liveness', c.livenessProbe, startedAt);
    if (c.readinessProbe) this.#loop(s, st, 'readiness', c.readinessProbe, startedAt);
  }

  #loop(s: ProbeSubject, st: ContainerProbes, kind: Kind, p: Probe, startedAt: Date): void {
    const period = (p.periodSeconds ?? 10) * 1000;
    const timeout = (p.timeoutSeconds ?? 1) * 1000;
    const failureThreshold = p.failureThreshold ?? 3;
    const successThreshold = p.successThreshold ?? 1;
    let fails = 0;
    let oks = 0;
    const first = Math.max(0, startedAt.getTime() + (p.initialDelaySeconds ?? 0) * 1000 - Date.now());
    const tick = async () => {
      if (st.stopped) return;
      // Liveness and readiness wait for the startup probe; startup stops once it passed.
      const skip = (kind !== 'startup' && !st.started) || (kind === 'startup' && st.started) || st.unhealthy;
      if (!skip) {
        const r = await runHandler({ runtime: this.#runtime, containerId: s.containerId, container: s.container, podIP: s.podIP }, p, timeout);
        if (st.stopped) return;
        if (r.ok) { oks++; fails = 0; } else { fails++; oks = 0; }
        if (!r.ok) this.#recorder.event(s.ref, 'Warning', 'Unhealthy', `${LABEL[kind]} probe failed: ${r.output}`, { fieldPath: s.fieldPath });
        else if (r.warning) this.#recorder.event(s.ref, 'Warning', 'ProbeWarning', `${LABEL[kind]} probe warning: ${r.warning}`, { fieldPath: s.fieldPath });
        let changed = false;
        if (kind === 'startup' && oks >= 1) { st.started = true; changed = true; }
        if (kind === 'readiness') {
          const ready = oks >= successThreshold ? true : fails >= failureThreshold ? false : st.ready;
          if (ready !== st.ready) { st.ready = ready; changed = true; }
        }
        if ((kind === 'liveness' || kind === 'startup') && fails >= failureThreshold) {
          st.unhealthy = `Container ${s.container.name} failed ${kind} probe, will be restarted`;
          changed = true;
        }
        if (changed) s.changed();
      }
      if (!st.stopped) st.timers.push(setTimeout(() => void tick(), period));
      if (st.timers.length > 4) st.timers.splice(0, st.timers.length - 1);
    };
    st.timers.push(setTimeout(() => void tick(), first));
  }

  /** Stops the probes of one container. */
  remove(id: string): void {
    const st = this.#byId.get(id);
    if (!st) return;
    st.stopped = true;
    for (const t of st.timers) clearTimeout(t);
    this.#byId.delete(id);
  }

  /** Stops every probe of a pod except those of `keep` containers. */
  removePod(uid: string, keep: ReadonlySet<string> = new Set()): void {
    for (const [id, st] of this.#byId) if (st.uid === uid && !keep.has(id)) this.remove(id);
  }

  stopAll(): void { for (const id of [...this.#byId.keys()]) this.remove(id); }
}
