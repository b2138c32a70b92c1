/**
 * Hooks the API server's metrics into its request path and its store: one call per
 * resource request (counts, latency, long-running and watch gauges, ended when the
 * response closes) and a Store decorator that times every store call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WatchOptions, WriteOptions } from '../../store/types.js';
import type { ResourceRequest } from '../request-info.js';
import type { UpgradeHandler } from '../upgrade.js';
import { errorStatus } from '../http-util.js';
import { metricVerb, type ApiServerMetrics } from './apiserver.js';

/** Starts the metrics of one resource request; they end when `res` closes. */
export function instrumentRequest(m: ApiServerMetrics, req: IncomingMessage, res: ServerResponse, info: ResourceRequest, q: URLSearchParams): void {
  const w = q.get('watch');
  const watch = info.legacyWatch || w === 'true' || w === '1';
  const verb = metricVerb(req.method ?? 'GET', {
    collection: info.name === undefined || watch, watch, subresource: info.subresource, contentType: req.headers['content-type'],
  });
  const done = m.startRequest({
    verb, group: info.group, version: info.version, resource: info.plural, subresource: info.subresource,
    scope: info.name !== undefined && !watch ? 'resource' : info.namespace ? 'namespace' : 'cluster',
    dryRun: q.getAll('dryRun').includes('All'),
  });
  const unwatch = verb === 'WATCH' && info.resource ? m.watchStarted(info.group, info.version, info.resource.kind) : undefined;
  res.once('close', () => { done(res.statusCode); unwatch?.(); });
}

/**
 * The upgrade handlers (exec, attach, portforward) counted as CONNECT requests: long-running
 * while the handler owns the socket, then counted with 101 (it took the connection) or the
 * code of the Status it was refused with. Only `get` is used by the upgrade router.
 */
export function instrumentUpgrades(m: ApiServerMetrics, upgrades: Map<string, UpgradeHandler>): Map<string, UpgradeHandler> {
  return new (class extends Map<string, UpgradeHandler> {
    override get(sub: string): UpgradeHandler | undefined {
      const h = upgrades.get(sub);
      if (!h) return undefined;
      return async ctx => {
        const { info } = ctx;
        const done = m.startRequest({
          verb: 'CONNECT', group: info.group, version: info.version, resource: info.plural, subresource: info.subresource,
          scope: 'resource', dryRun: false,
        });
        try {
          await h(ctx);
          done(101);
        } catch (e) {
          done(errorStatus(e).code ?? 500);
          throw e;
        }
      };
    }
  })();
}

/** `/registry/apps/deployments/…` → "deployments.apps"; core resources by plural alone. */
export function storeType(key: string): string {
  // The 3rd and 4th '/'-separated parts, found by hand: every store call pays for this.
  const s1 = key.indexOf('/');
  const s2 = s1 < 0 ? -1 : key.indexOf('/', s1 + 1);
  if (s2 < 0) return '';
  const s3 = key.indexOf('/', s2 + 1);
  if (s3 < 0) return key.slice(s2 + 1);
  const group = key.slice(s2 + 1, s3);
  const s4 = key.indexOf('/', s3 + 1);
  const plural = s4 < 0 ? key.slice(s3 + 1) : key.slice(s3 + 1, s4);
  if (!plural) return group;
  return group === 'core' ? plural : `${plural}.${group}`;
}

/** A Store whose calls are timed into kubeling_store_request_duration_seconds. */
export function timedStore(s: Store, m: ApiServerMetrics): Store {
  return {
    currentRevision: () => s.currentRevision(),
    compactRevision: () => s.compactRevision(),
    get: (key: string, revision?: number): Promise<KeyValue | undefined> => m.timeStore('get', storeType(key), () => s.get(key, revision)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> => m.timeStore('list', storeType(prefix), () => s.list(prefix, opts)),
    count: (prefix: string): Promise<number> => m.timeStore('count', storeType(prefix), () => s.count(prefix)),
    create: (key: string, value: Buffer, opts?: WriteOptions): Promise<KeyValue> => m.timeStore('create', storeType(key), () => s.create(key, value, opts)),
    update: (key: string, value: Buffer, rev: number, opts?: WriteOptions): Promise<KeyValue> => m.timeStore('update', storeType(key), () => s.update(key, value, rev, opts)),
    delete: (key: string, rev?: number): Promise<KeyValue> => m.timeStore('delete', storeType(key), () => s.delete(key, rev)),
    watch: (prefix: string, opts: WatchOptions, onEvents: (e: WatchEvent[]) => void, onError: (e: Error) => void): Watch => s.watch(prefix, opts, onEvents, onError),
    compact: (revision: number): Promise<void> => m.timeStore('compact', '', () => s.compact(revision)),
    close: () => s.close(),
  };
}
