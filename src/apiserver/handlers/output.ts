/** Renders objects and lists as the client asked: a meta.k8s.io Table or plain JSON. */
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { toTable } from '../tables/index.js';
import { wantsTable } from '../http-util.js';
import type { KeyValue } from '../../store/types.js';
import { decode, storedWire, wireJson } from '../storage/codec.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Ensures the object carries its kind and apiVersion (stored objects always should). */
export function typed(ri: ResourceInfo, o: KubeObject): KubeObject {
  if (o.kind === ri.kind && o.apiVersion === apiVersionOf(ri)) return o;
  return { ...o, apiVersion: apiVersionOf(ri), kind: ri.kind };
}

export function renderObject(req: IncomingMessage, q: URLSearchParams, ri: ResourceInfo, o: KubeObject): unknown {
  if (wantsTable(req)) {
    return toTable(ri, [typed(ri, o)], { includeObject: includeObjectOf(q), resourceVersion: o.metadata?.resourceVersion });
  }
  // Written and decoded objects carry their JSON already (see codec.ts).
  return wireJson(typed(ri, o));
}

export interface ListMeta { resourceVersion: string; continue?: string; remainingItemCount?: number }

/**
 * A plain JSON list of stored objects not decoded yet: each item's JSON is its stored
 * text with the resourceVersion spliced in (storedWire), or its decoded object's.
 */
export function renderStoredList(ri: ResourceInfo, kvs: KeyValue[], meta: ListMeta): string {
  const prefix = storedPrefix(ri);
  return listJson(ri, meta, kvs.map(kv => storedWire(kv, prefix) ?? wireJson(typed(ri, decode(kv)))));
}

/** The plain JSON of one stored object, decoded only if its text cannot be spliced. */
export function storedJson(ri: ResourceInfo, kv: KeyValue): string {
  return storedWire(kv, storedPrefix(ri)) ?? wireJson(typed(ri, decode(kv)));
}

/** How a stored object of `ri` starts (encode keeps the object's field order). */
function storedPrefix(ri: ResourceInfo): string {
  return `{"apiVersion":${JSON.stringify(apiVersionOf(ri))},"kind":${JSON.stringify(ri.kind)},`;
}

function listJson(ri: ResourceInfo, meta: ListMeta, items: string[]): string {
  const metadata: Record<string, unknown> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) metadata.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) metadata.remainingItemCount = meta.remainingItemCount;
  const head = JSON.stringify({ kind: ri.listKind, apiVersion: apiVersionOf(ri), metadata });
  return `${head.slice(0, -1)},"items":[${items.join(',')}]}`;
}

export function renderList(req: IncomingMessage, q: URLSearchParams, ri: ResourceInfo, items: KubeObject[], meta: ListMeta): unknown {
  if (wantsTable(req)) {
    return toTable(ri, items.map(o => typed(ri, o)), {
      includeObject: includeObjectOf(q), resourceVersion: meta.resourceVersion,
      continue: meta.continue, remainingItemCount: meta.remainingItemCount,
    });
  }
  // Items are shared decoded objects: splice their cached JSON instead of re-serialising.
  return listJson(ri, meta, items.map(o => wireJson(typed(ri, o))));
}
