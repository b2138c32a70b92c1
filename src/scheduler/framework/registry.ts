/** Plugin name → factory, as an explicit map; registering a name twice is a bug, so it throws. */
import type { PluginFactory } from './interface.js';

export class DuplicatePluginError extends Error {
  readonly code = 'KL_SCHED_DUPLICATE_PLUGIN';
  constructor(name: string) { super(`a plugin named ${name} already exists`); }
}

export class UnknownPluginError extends Error {
  readonly code = 'KL_SCHED_UNKNOWN_PLUGIN';
  constructor(name: string) { super(`plugin "${name}" does not exist`); }
}

export class Registry {
  readonly #factories = new Map<string, PluginFactory>();

  constructor(entries: Record<string, PluginFactory> = {}) {
    for (const [name, f] of Object.entries(entries)) this.register(name, f);
  }

  register(name: string, factory: PluginFactory): void {
    if (this.#factories.has(name)) throw new DuplicatePluginError(name);
    this.#factories.set(name, factory);
  }

  unregister(name: string): void {
    if (!this.#factories.delete(name)) throw new UnknownPluginError(name);
  }

  /** Adds every entry of `other`; a name both hold is a duplicate. */
  merge(other: Registry): void {
    for (const [name, f] of other.#factories) this.register(name, f);
  }

  get(name: string): PluginFactory {
    const f = this.#factories.get(name);
    if (!f) throw new UnknownPluginError(name);
    return f;
  }

  names(): string[] { return [...this.#factories.keys()]; }
}
