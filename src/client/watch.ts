/**
 * A watch stream: the server's chunked `{"type":...,"object":...}` lines as an async
 * iterator (or a callback loop). An ERROR event is thrown as its kubeling error (410
 * Expired → GoneError); `stop()` ends the stream cleanly, from any side.
 */
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { KubeObject } from '../api/object.js';
import { ConnectionError, errorFromStatus } from './errors.js';
import type { ObjectLike } from './paths.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends ObjectLike = KubeObject> {
  type: WatchEventType;
  /** For BOOKMARK only kind, apiVersion and metadata.resourceVersion are set. */
  object: T;
}

export class WatchStream<T extends ObjectLike = KubeObject> implements AsyncIterable<WatchEvent<T>> {
  readonly #open: (signal: AbortSignal) => Promise<IncomingMessage>;
  readonly #abort = new AbortController();
  #started = false;

  /** Use Client.watch. `open` starts the HTTP request. */
  constructor(open: (signal: AbortSignal) => Promise<IncomingMessage>) {
    this.#open = open;
  }

  get stopped(): boolean { return this.#abort.signal.aborted; }

  /** Ends the stream: a pending or later iteration finishes without an error. */
  stop(): void { this.#abort.abort(); }

  /** Calls `fn` for every event; resolves when the stream ends or is stopped, rejects on errors. */
  async forEach(fn: (ev: WatchEvent<T>) => void | Promise<void>): Promise<void> {
    for await (const ev of this) await fn(ev);
  }

  /**
   * Like forEach for a synchronous `fn` (an informer filing events into its cache): the
   * events of each chunk are handed over in one go, without a promise and a turn of the
   * async iterator per event (watches carry thousands a second). A throw from `fn` ends
   * the stream and rejects.
   */
  async each(fn: (ev: WatchEvent<T>) => void): Promise<void> {
    const signal = this.#abort.signal;
    await this.#chunks(text => {
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const line = text.slice(start, nl);
        start = nl + 1;
        if (line.trim()) fn(parseLine<T>(line));
        if (signal.aborted) return '';
      }
      return text.slice(start);
    }, rest => { if (rest.trim() && !signal.aborted) fn(parseLine<T>(rest)); });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<T>> {
    const signal = this.#abort.signal;
    const res = await this.#begin();
    if (!res) return;
    const decoder = new StringDecoder('utf8');
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += decoder.write(chunk as Buffer);
        let start = 0;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n', start)) {
          const line = buf.slice(start, nl);
          start = nl + 1;
          if (!line.trim()) continue;
          yield parseLine<T>(line);
          if (signal.aborted) return;
        }
        buf = buf.slice(start);
      }
      if (buf.trim() && !signal.aborted) yield parseLine<T>(buf);
    } catch (e) {
      if (signal.aborted) return;
      throw streamError(e);
    } finally {
      this.#end(res);
    }
  }

  /** Feeds the text of each chunk (after what `take` left of the last) to `take`; `last` gets the remainder. */
  async #chunks(take: (text: string) => string, last: (rest: string) => void): Promise<void> {
    const signal = this.#abort.signal;
    const res = await this.#begin();
    if (!res) return;
    const decoder = new StringDecoder('utf8');
    let buf = '';
    try {
      for await (const chunk of res) {
        buf = take(buf + decoder.write(chunk as Buffer));
        if (signal.aborted) return;
      }
      last(buf);
    } catch (e) {
      if (signal.aborted) return;
      throw streamError(e);
    } finally {
      this.#end(res);
    }
  }

  /** Opens the request once; undefined when stopped first. Aborting destroys the response. */
  async #begin(): Promise<IncomingMessage | undefined> {
    if (this.#started) throw new Error('a WatchStream can be iterated once');
    this.#started = true;
    const signal = this.#abort.signal;
    if (signal.aborted) return undefined;
    let res: IncomingMessage;
    try {
      res = await this.#open(signal);
    } catch (e) {
      if (signal.aborted) return undefined;
      throw e;
    }
    const onAbort = () => res.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#onAbort = onAbort;
    return res;
  }

  #onAbort?: () => void;

  #end(res: IncomingMessage): void {
    if (this.#onAbort) this.#abort.signal.removeEventListener('abort', this.#onAbort);
    // Leaving early (break, a throw from the consumer) must close the connection too.
    if (!res.complete) res.destroy();
  }
}

function streamError(e: unknown): unknown {
  if ((e as { code?: string }).code?.startsWith('KL_')) return e;
  return new ConnectionError(`watch stream broke: ${(e as Error).message}`, undefined, { cause: e });
}

function parseLine<T extends ObjectLike>(line: string): WatchEvent<T> {
  let ev: { type?: string; object?: unknown };
  try { ev = JSON.parse(line); } catch {
    throw new ConnectionError(`watch stream: malformed event line: ${line.slice(0, 200)}`);
  }
  if (ev.type === 'ERROR') throw errorFromStatus(Number((ev.object as { code?: number })?.code ?? 500), ev.object);
  if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED' && ev.type !== 'BOOKMARK') {
    throw new ConnectionError(`watch stream: unknown event type ${String(ev.type)}`);
  }
  return { type: ev.type, object: ev.object as T };
}
