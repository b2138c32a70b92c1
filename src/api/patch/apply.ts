/**
 * Server-side apply (`application/apply-patch+yaml`): merge the applier's configuration
 * into the live object, give up (and remove) what it applied before but no longer does,
 * and refuse to change fields another manager owns unless forced.
 *
 * Left out, compared with kube-apiserver's field manager: conversion between API
 * versions (kubeling serves one version per kind), the cap of ten Update managers
 * ("ancient-changes"), interplay with the client-side-apply annotation
 * (last-applied-configuration is neither read nor written), and schema facts for
 * fields schema.ts does not list (such lists are atomic, such maps granular).
 */
import { BadRequestError, ConflictError, invalid, required } from '../errors.js';
import { clone, deepEqual, isObject, type JsonObject } from './json.js';
import { FieldSet, formatPath, type Path } from './fieldset.js';
import {
  body, decodeManagedFields, describeManager, ignoredTopLevel, managerId, nowSeconds, trackable, withManagedFields,
  type Manager,
} from './managed-fields.js';
import { rootField } from './schema.js';
import { prunable, removeItems, structuredMerge } from './ssa-merge.js';
import { compare, toFieldSet } from './ssa-walk.js';

export interface ApplyContext {
  kind: string;
  apiVersion: string;
  /** The `fieldManager` query parameter; required. */
  manager?: string;
  /** The `force` query parameter: take fields over from other managers. */
  force?: boolean;
  now?: string;
  subresource?: string;
}

/** Applies `config` to the live object (undefined: the object does not exist yet). */
export function serverSideApply(live: object | undefined, config: unknown, ctx: ApplyContext): JsonObject {
  const manager = ctx.manager;
  if (!manager) {
    throw invalid('PatchOptions', '', [required('fieldManager', 'is required for apply patch')], 'meta.k8s.io');
  }
  const cfg = checkConfig(config, ctx);
  const root = rootField(ctx.kind);
  const ignored = ignoredTopLevel(ctx.apiVersion, ctx.kind, ctx.subresource);
  for (const k of Object.keys(cfg)) if (ignored(k)) delete cfg[k]; // the registry resets them anyway

  const liveObj = live as JsonObject | undefined;
  const managers = decodeManagedFields(isObject(liveObj?.metadata) ? liveObj.metadata.managedFields : undefined);
  const id = managerId({ manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  const self = managers.find(m => managerId(m) === id);
  const others = managers.filter(m => m !== self);
  const before = body(liveObj);
  const configSet = toFieldSet(cfg, root);

  let merged = structuredMerge(before, cfg, root) as JsonObject;
  if (self) {
    const keep = others.reduce((acc, m) => acc.union(m.set), configSet);
    merged = removeItems(merged, prunable(self.set, keep, root), root) as JsonObject;
  }

  const c = compare(liveObj ? before : undefined, merged, root);
  const changed = trackable(c.modified.union(c.added), ignored);
  const removed = trackable(c.removed, ignored);
  const conflicts = others.map(m => ({ m, set: m.set.intersection(changed) })).filter(x => !x.set.isEmpty());
  if (conflicts.length > 0 && !ctx.force) throw conflictError(conflicts);
  for (const m of others) m.set = m.set.difference(changed).difference(removed);

  const mine: Manager = self ?? { manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource, set: new FieldSet() };
  mine.set = trackable(configSet, ignored);
  mine.apiVersion = ctx.apiVersion;
  if (!self || !deepEqual(before, merged)) mine.time = ctx.now ?? nowSeconds();
  return withManagedFields(merged, [...others, mine]);
}

/** Apply to an object that does not exist yet; the caller fills in name, uid and the rest. */
export function applyCreate(config: unknown, ctx: ApplyContext): JsonObject {
  return serverSideApply(undefined, config, ctx);
}

function checkConfig(config: unknown, ctx: ApplyContext): JsonObject {
  if (!isObject(config)) throw new BadRequestError('error decoding YAML: the apply patch must be an object');
  const cfg = clone(config);
  if (cfg.apiVersion !== ctx.apiVersion) {
    throw new BadRequestError(`Incorrect version specified in apply patch. Specified patch version: ${cfg.apiVersion ?? ''}, expected: ${ctx.apiVersion}`);
  }
  if (cfg.kind !== ctx.kind) {
    throw new BadRequestError(`Incorrect kind specified in apply patch. Specified patch kind: ${cfg.kind ?? ''}, expected: ${ctx.kind}`);
  }
  if (isObject(cfg.metadata) && cfg.metadata.managedFields !== undefined && cfg.metadata.managedFields !== null) {
    throw new BadRequestError('metadata.managedFields must be nil');
  }
  return cfg;
}

/** 409 with one FieldManagerConflict cause per field, worded like conflict.go. */
function conflictError(conflicts: { m: Manager; set: FieldSet }[]): ConflictError {
  const rows: { who: string; path: Path }[] = [];
  for (const { m, set } of conflicts) for (const path of set.paths()) rows.push({ who: describeManager(m), path });
  rows.sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0));
  const causes = rows.map(r => ({ reason: 'FieldManagerConflict', message: `conflict with ${r.who}`, field: formatPath(r.path) }));
  let message: string;
  if (rows.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${rows[0].who}: ${formatPath(rows[0].path)}`;
  } else {
    const lines: string[] = [];
    for (const who of [...new Set(rows.map(r => r.who))]) {
      lines.push(`conflicts with ${who}:`);
      for (const r of rows) if (r.who === who) lines.push(`- ${formatPath(r.path)}`);
    }
    message = `Apply failed with ${rows.length} conflicts: ${lines.join('\n')}`;
  }
  return new ConflictError(message, { causes });
}
