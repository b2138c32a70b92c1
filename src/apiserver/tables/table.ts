/**
 * Server-side printing: objects → a meta.k8s.io/v1 Table, as kube-apiserver answers
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` asks for).
 */
import { BadRequestError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { printerFor } from './registry.js';
import type { Table, TableMeta, TableOptions, TableRow } from './types.js';

function rowObject(o: KubeObject, include: TableOptions['includeObject']): unknown {
  switch (include) {
    case 'Object': return o;
    case 'Metadata': return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata ?? {} };
    case 'None': return null;
    default: throw new BadRequestError(`unrecognized includeObject value: "${String(include)}"`);
  }
}

/**
 * One row per object, cells for every column including the wide ones (kubectl hides
 * priority > 0 columns unless `-o wide`). Pure: the clock comes from `opts.now`.
 */
export function toTable(resource: Pick<ResourceInfo, 'group' | 'plural'>, objects: readonly object[], opts: TableOptions): Table {
  const printer = printerFor(resource);
  const ctx = { now: (opts.now ?? new Date()).getTime() };
  const rows: TableRow[] = objects.map(obj => {
    const o = obj as KubeObject;
    const conditions = printer.conditions?.(o);
    const object = rowObject(o, opts.includeObject);
    return conditions ? { cells: printer.cells(o, ctx), conditions, object } : { cells: printer.cells(o, ctx), object };
  });
  const metadata: TableMeta = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map(c => ({ ...c })),
    rows,
  };
}
