/**
 * Watch: a chunked stream of `{"type":...,"object":...}` lines. resourceVersion unset
 * or "0" first replays the current state as ADDED; N replays everything after N; a
 * compacted N gets the 410 Expired ERROR event. Selectors turn modifications that
 * cross the selector's edge into ADDED/DELETED, as upstream's watch cache does.
 */
import { BadRequestError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { WatchEvent } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import { errorStatus, wantsTable } from '../http-util.js';
import { decode, wireJson } from '../storage/codec.js';
import { toTable } from '../tables/index.js';
import { includeObjectOf, typed } from './output.js';
import { filterOf } from './selectors.js';

const BOOKMARK_INTERVAL_MS = 30_000;

export async function handleWatch(ctx: RequestContext): Promise<void> {
  const { query: q, res, ri } = ctx;
  const f = filterOf(ri, q);
  const ns = ctx.info.namespace ?? f.namespace;
  const filtered = f.name !== undefined || f.matches !== undefined;
  const match = (o: KubeObject) => (f.name === undefined || o.metadata?.name === f.name) && (!f.matches || f.matches(o));
  /** Whether the object a PUT replaced matched: only a filtered watch decodes it (no parse otherwise). */
  const matchedBefore = (ev: WatchEvent): boolean => !ev.created && !!ev.prevKv && (!filtered || match(decode(ev.prevKv)));
  const table = wantsTable(ctx.req);
  const include = includeObjectOf(q);
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const rv = q.get('resourceVersion') ?? '';
  const initial = q.get('sendInitialEvents') === 'true' || ((rv === '' || rv === '0') && q.get('sendInitialEvents') !== 'false');
  let first = true;
  let closed = false;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const render = (o: KubeObject): string => {
    if (!table) return wireJson(typed(ri, o));
    const t = toTable(ri, [typed(ri, o)], { includeObject: include, resourceVersion: o.metadata?.resourceVersion }) as { columnDefinitions?: unknown[] };
    if (!first) t.columnDefinitions = [];
    first = false;
    return JSON.stringify(t);
  };
  const send = (type: string, object: string) => {
    if (!closed) res.write(`{"type":"${type}","object":${object}}\n`);
  };
  const bookmark = (rev: number, initialEnd = false) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rev) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    send('BOOKMARK', JSON.stringify({ kind: ri.kind, apiVersion: apiVersionOf(ri), metadata }));
  };
  const fail = (e: unknown) => {
    send('ERROR', JSON.stringify(errorStatus(e)));
    finish();
  };

  let lastRev = 0;
  const timers: NodeJS.Timeout[] = [];
  let watch: { cancel(): void } | undefined;
  const finish = () => {
    if (closed) return;
    closed = true;
    watch?.cancel();
    for (const t of timers) { clearTimeout(t); clearInterval(t); }
    res.end();
  };
  ctx.req.on('close', finish);
  res.on('close', finish);

  try {
    if (initial) {
      const page = await ctx.rs.list({ namespace: ns, filter: f.matches, name: f.name });
      // The current state in chunks of ~64 KB, not one write per object.
      let out = '';
      for (const o of page.items) {
        out += `{"type":"ADDED","object":${render(o)}}\n`;
        if (out.length >= 65_536) { if (!closed) res.write(out); out = ''; }
      }
      if (out && !closed) res.write(out);
      lastRev = page.revision;
      if (q.get('sendInitialEvents') === 'true' && bookmarks) bookmark(lastRev, true);
    } else {
      lastRev = Number(rv);
      if (!/^\d+$/.test(rv)) throw new BadRequestError(`resourceVersion: Invalid value: "${rv}": must be a number`);
    }
  } catch (e) { fail(e); return; }
  if (closed) return;

  // One write per batch of events (a commit's events come together): one chunk to frame,
  // encode and (for a TLS watcher) encrypt, and one parser pass at the other end. Plain
  // JSON lines are encoded once per event for every watcher of it (eventLine).
  const line = (type: string, object: string) => `{"type":"${type}","object":${object}}\n`;
  const onEvents = (evs: WatchEvent[]) => {
    let out = '';
    const lines: Buffer[] = [];
    const add = (ev: WatchEvent, type: string, obj: KubeObject) => {
      if (table) out += line(type, render(obj));
      else lines.push(eventLine(ev, type, ri, obj));
    };
    for (const ev of evs) {
      lastRev = ev.kv.modRevision;
      const obj = decode(ev.kv);
      if (ev.type === 'DELETE') {
        if (match(obj)) add(ev, 'DELETED', obj);
        continue;
      }
      const now = match(obj);
      const before = matchedBefore(ev);
      if (now && (before || (!ev.created && !ev.prevKv))) add(ev, 'MODIFIED', obj);
      else if (now) add(ev, 'ADDED', obj);
      // Leaving the selector: upstream's watch cache sends the object as it was (the last
      // state the watcher may see), at this event's resourceVersion.
      else if (before) add(ev, 'DELETED', atRevision(decode(ev.prevKv!), ev.kv.modRevision));
    }
    if (closed) return;
    if (out) res.write(out);
    else if (lines.length > 0) res.write(lines.length === 1 ? lines[0] : Buffer.concat(lines));
  };
  try {
    watch = ctx.rs.watch(ns, lastRev, onEvents, fail);
  } catch (e) { fail(e); return; }

  const timeout = Number(q.get('timeoutSeconds') ?? 0) || 1800 * (1 + Math.random());
  timers.push(setTimeout(finish, timeout * 1000));
  if (bookmarks) {
    const tick = setInterval(() => bookmark(lastRev), BOOKMARK_INTERVAL_MS);
    timers.push(tick as unknown as NodeJS.Timeout);
  }
}

/** A copy of a (shared, immutable) decoded object with another resourceVersion. */
function atRevision(o: KubeObject, rev: number): KubeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } };
}

/**
 * The encoded watch line of an event, shared by all the watchers a commit's events are
 * published to (synchronously, one after another): each used to frame the object's JSON
 * and encode it to UTF-8 on its own. Kept until the event loop's next turn.
 */
const lineCache = new Map<WatchEvent, { ri: ResourceInfo; type: string; bytes: Buffer }[]>();

function eventLine(ev: WatchEvent, type: string, ri: ResourceInfo, obj: KubeObject): Buffer {
  let entries = lineCache.get(ev);
  if (entries) {
    for (const e of entries) if (e.ri === ri && e.type === type) return e.bytes;
  } else {
    if (lineCache.size === 0) setImmediate(() => lineCache.clear());
    lineCache.set(ev, entries = []);
  }
  const bytes = Buffer.from(`{"type":"${type}","object":${wireJson(typed(ri, obj))}}\n`);
  entries.push({ ri, type, bytes });
  return bytes;
}
