/**
 * The shell every controller here runs in: informer handlers that queue keys, the shared
 * Controller loop (get → sync → forget / requeue with back-off → done), and a stop()
 * that removes the handlers and waits for the key in progress.
 */
import {
  Controller, defaultLogger, type EventHandler, type Informer, type Logger,
} from '../client/index.js';
import type { KubeObject } from '../api/object.js';
import type { RunningController } from './controller-utils.js';

export interface LoopOptions {
  name: string;
  sync: (key: string) => Promise<void>;
  workers?: number;
  /** Informers whose first list must be in before the first sync. */
  informers: ReadonlyArray<Informer<KubeObject>>;
  logger?: Logger;
}

export class ControllerLoop implements RunningController {
  readonly name: string;
  readonly controller: Controller;
  readonly #removers: Array<() => void> = [];
  readonly #abort = new AbortController();
  #running?: Promise<void>;

  constructor(o: LoopOptions) {
    this.name = o.name;
    this.controller = new Controller({
      name: o.name, sync: o.sync, workers: o.workers, waitFor: o.informers, logger: o.logger ?? defaultLogger,
    });
  }

  /** Registers a handler on a (shared) informer; removed again by stop(). */
  on<T extends KubeObject>(informer: Informer<T>, h: EventHandler<T>, opts?: { resyncMs?: number }): void {
    this.#removers.push(informer.addEventHandler(h, opts));
  }

  enqueue(key: string): void { this.controller.queue.add(key); }

  enqueueAfter(key: string, ms: number): void { this.controller.queue.addAfter(key, ms); }

  /** Starts the workers (they wait for the caches first). */
  start(): this {
    this.#running ??= this.controller.run(this.#abort.signal);
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.#removers.splice(0)) r();
    this.#abort.abort();
    await this.controller.stop();
    await this.#running;
  }
}
