/**
 * Housekeeping of a pod's runtime objects: each container name keeps its newest two runs
 * (the current one and the one `--previous` and lastState show); older runs, their logs
 * and termination files go, and so do old sandboxes nothing kept lives in.
 */
import { readFile, rm } from 'node:fs/promises';
import type { ContainerStatus } from '../runtime/index.js';
import { TERMINATION_MESSAGE_FILE, TERMINATION_MESSAGE_POLICY } from '../labels.js';
import type { PodContext } from './context.js';
import { runsByName, type PodView } from './pod-view.js';
import { readTail } from '../logs/cri-log.js';

const KEEP_RUNS = 2;
const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LINES = 80;
const FALLBACK_BYTES = 2048;

export async function gcPod(cx: PodContext, view: PodView): Promise<boolean> {
  const keep = new Set<string>();
  const drop: ContainerStatus[] = [];
  for (const runs of runsByName(view).values()) {
    runs.forEach((r, n) => {
      if (n < KEEP_RUNS || r.state === 'running') keep.add(r.id);
      else drop.push(r);
    });
  }
  const current = view.sandboxes[0]?.id;
  const oldSandboxes = view.sandboxes.filter(s => s.id !== current && !view.containers.some(c => c.sandboxId === s.id && keep.has(c.id)));
  if (!drop.length && !oldSandboxes.length) return false;
  await Promise.all(drop.map(async c => {
    await cx.runtime.removeContainer(c.id);
    await Promise.all([rm(c.logPath, { force: true }), c.annotations[TERMINATION_MESSAGE_FILE] ? rm(c.annotations[TERMINATION_MESSAGE_FILE], { force: true }) : undefined]);
  }));
  await Promise.all(oldSandboxes.map(s => cx.runtime.removeSandbox(s.id)));
  return true;
}

/** Termination messages by container id (immutable once exited, so cached). */
export class TerminationMessages {
  readonly #cache = new Map<string, string>();

  get(s: ContainerStatus): string | undefined { return this.#cache.get(s.id) || undefined; }

  /** Reads the messages of exited containers not read yet. */
  async load(view: PodView): Promise<void> {
    await Promise.all(view.containers.filter(c => c.state === 'exited' && !this.#cache.has(c.id)).map(async c => {
      const file = c.annotations[TERMINATION_MESSAGE_FILE];
      let msg = file ? (await readFile(file).catch(() => Buffer.alloc(0))).subarray(0, MAX_MESSAGE_BYTES).toString() : '';
      if (!msg && c.exitCode !== 0 && c.annotations[TERMINATION_MESSAGE_POLICY] === 'FallbackToLogsOnError') {
        const tail = await readTail(c.logPath, FALLBACK_LINES).catch(() => '');
        msg = tail.slice(-FALLBACK_BYTES);
      }
      this.#cache.set(c.id, msg);
    }));
  }

  forget(ids: Iterable<string>): void { for (const id of ids) this.#cache.delete(id); }
}
