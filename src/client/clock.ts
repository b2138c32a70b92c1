/**
 * Time as a dependency (client-go's `clock.Clock`): the real one, and a fake one that
 * tests advance by hand so back-off and delays are checked without waiting.
 */
export type TimerHandle = { readonly __timer: true } | NodeJS.Timeout;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(h: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: h => clearTimeout(h as NodeJS.Timeout),
};

interface FakeTimer { at: number; seq: number; fn: () => void; handle: TimerHandle }

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  constructor(start = 1_700_000_000_000) { this.#now = start; }

  now(): number { return this.#now; }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { __timer: true } as const;
    this.#timers.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, handle });
    return handle;
  }

  clearTimeout(h: TimerHandle): void {
    this.#timers = this.#timers.filter(t => t.handle !== h);
  }

  /** Timers not yet fired. */
  get pending(): number { return this.#timers.length; }

  /** Moves time forward, firing due timers in order (timers they set are honoured too). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = this.#timers[0];
      if (!t || t.at > end) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, t.at);
      t.fn();
    }
    this.#now = end;
  }
}

/** Resolves after `ms` on `clock`; resolves early (never rejects) when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) { resolve(); return; }
    const done = () => { signal?.removeEventListener('abort', done); clock.clearTimeout(h); resolve(); };
    const h = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `ms` stretched by up to `factor` (0.2 → up to 20% longer), like wait.Jitter. */
export function jitter(ms: number, factor = 0.2): number {
  return ms * (1 + Math.random() * factor);
}
