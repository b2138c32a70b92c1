/** Builders and a table runner shared by the validation tests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/object.js';
import { applyDefaults } from '../../src/api/defaults/index.js';
import { validateCreate, validateUpdate } from '../../src/api/validation/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export const UID = '6b1f5c2e-0000-4000-8000-000000000001';

export function clone<T>(v: T): T { return JSON.parse(JSON.stringify(v)) as T; }

/** A copy of `base` changed by `fn`. */
export function mut(base: Obj, fn: (o: Obj) => void): Obj {
  const o = clone(base);
  fn(o);
  return o;
}

export const container = (name = 'app', image = 'busybox:1.36'): Obj => ({ name, image });

export const pod = (extra: Obj = {}): Obj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default' },
  spec: { containers: [container()], ...extra },
});

export const podTemplate = (labels: Record<string, string> = { app: 'x' }): Obj => ({
  metadata: { labels }, spec: { containers: [container()] },
});

export function workload(kind: string, apiVersion = 'apps/v1'): Obj {
  return {
    apiVersion, kind, metadata: { name: 'w1', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate() },
  };
}

/** Defaults like the server does on create, with a fixed uid. */
export function defaulted(o: Obj): Obj {
  const withUid = mut(o, x => { x.metadata ??= {}; x.metadata.uid ??= UID; });
  return applyDefaults(String(o.kind), String(o.apiVersion), withUid as KubeObject, { uid: UID, operation: 'create' }) as Obj;
}

export const fields = (errs: FieldError[]): string[] => [...new Set(errs.map(e => e.field))].sort();

export function createErrors(o: Obj): FieldError[] {
  return validateCreate(String(o.kind), defaulted(o) as KubeObject);
}

export function updateErrors(next: Obj, prev: Obj): FieldError[] {
  return validateUpdate(String(next.kind), next as KubeObject, prev as KubeObject);
}

export interface Case { name: string; obj: Obj; wantFields: string[] }

/** Runs a table: defaults each object, validates it for create, compares the error fields. */
export function createTable(title: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${title}: ${c.name}`, () => {
      const errs = createErrors(c.obj);
      assert.deepEqual(fields(errs), [...new Set(c.wantFields)].sort(), errs.map(e => e.toString()).join('\n'));
    });
  }
}

/** The stored form of an object: defaulted and given a resourceVersion. */
export function stored(o: Obj): Obj {
  return mut(defaulted(o), x => { x.metadata.resourceVersion = '1'; x.metadata.creationTimestamp = '2025-01-01T00:00:00Z'; });
}

export function message(errs: FieldError[], field: string): string {
  return errs.filter(e => e.field === field).map(e => e.toString()).join('\n');
}
