/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the server side of
 * `kubectl apply` (client-side), `edit`, `set image` and `rollout restart`.
 *
 * Like JSON merge patch, plus per-field facts from schema.ts: lists with the `merge`
 * strategy merge by key (or as sets of primitives) instead of being replaced, and the
 * directives `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>`
 * and `$deleteFromPrimitiveList/<list>` steer the merge.
 *
 * Differences from k8s.io/apimachinery strategicpatch, all on malformed or odd input:
 * values the patch adds are cleaned of directives and nulls (upstream copies them raw
 * and lets typed decoding drop them); `$patch: merge` on a map is accepted as a no-op;
 * `$deleteFromPrimitiveList` on an absent list does nothing; errors upstream answers
 * 500 for (missing merge key, unknown directive) are 400 here.
 */
import { BadRequestError } from '../errors.js';
import { clone, isObject, setOwn, shapeOf, show, type Json, type JsonObject } from './json.js';
import { childField, elemField, rootField, type Field } from './schema.js';
import {
  applySetElementOrder, bad, deleteFromList, DELETE_FROM_PRIMITIVE_LIST, extractKey, mergeList,
} from './strategic-list.js';

/**
 * Applies a strategic merge patch to `doc`, an object of kind `kind`, without changing
 * it. The result is new along every path the patch touches and shares the rest with
 * `doc` (a status patch leaves the spec as stored): treat it as read-only below the top
 * level, or copy it.
 */
export function strategicMergePatch(doc: JsonObject, patch: unknown, kind: string): JsonObject {
  if (!isObject(patch)) {
    const what = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw new BadRequestError(`json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  // The patch copy is consumed (directives are deleted from it as they are applied).
  return mergeMap(doc, clone(patch), rootField(kind));
}

/** A shallow copy: the maps a merge changes are copies, the values it leaves alone shared. */
function copyMap(m: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(m)) setOwn(out, k, m[k]);
  return out;
}

/**
 * Merges `patch` into a shallow copy of `original` (undefined: start empty) and returns
 * it; `original` is not changed, its untouched values are shared. `patch` is consumed.
 */
export function mergeMap(original: JsonObject | undefined, patch: JsonObject, f: Field | undefined): JsonObject {
  if ('$patch' in patch) {
    const directive = patch.$patch;
    delete patch.$patch;
    if (directive === 'delete') return {};
    if (directive === 'replace') return mergeMap(undefined, patch, f);
    if (directive !== 'merge') throw bad(`unknown patch type: ${show(directive)} in map: ${show(patch)}`);
  }
  const out = original ? copyMap(original) : {};
  applyRetainKeys(out, patch);
  applySetElementOrder(out, patch, f, mergeMap);
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletePrimitives(out, extractKey(key, DELETE_FROM_PRIMITIVE_LIST), value);
      continue;
    }
    if (key.startsWith('$')) continue; // unknown directive: typed decoding would drop it
    if (value === null) {
      delete out[key];
      continue;
    }
    const cf = childField(f, key);
    const cur = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    const shape = shapeOf(cur);
    if (cur === undefined || shape !== shapeOf(value)) {
      setOwn(out, key, clean(value, cf));
    } else if (shape === 'map') {
      setOwn(out, key, cf?.smp === 'replace' ? clean(value, cf) : mergeMap(cur as JsonObject, value as JsonObject, cf));
    } else if (shape === 'list') {
      setOwn(out, key, cf?.smp === 'merge' ? mergeList(cur as Json[], value as Json[], cf, mergeMap) : clean(value, cf));
    } else {
      setOwn(out, key, value);
    }
  }
  return out;
}

/** A value the patch introduces, with its directives applied against nothing. */
function clean(value: Json, f: Field | undefined): Json {
  if (isObject(value)) return mergeMap(undefined, value, f);
  if (!Array.isArray(value)) return value;
  if (f?.smp === 'merge') return mergeList([], value, f, mergeMap);
  const ef = elemField(f);
  return value.map(v => (isObject(v) ? mergeMap(undefined, v, ef) : v));
}

/**
 * `$retainKeys: [k...]` clears every key of the original not listed; every non-null key
 * of the patch must be listed.
 */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!('$retainKeys' in patch)) return;
  const list = patch.$retainKeys;
  delete patch.$retainKeys;
  if (!Array.isArray(list)) throw bad('invalid patch format of retainKeys');
  const keep = new Set<Json>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith('$')) continue;
    if (!keep.has(k)) throw bad('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function deletePrimitives(out: JsonObject, field: string, toDelete: Json): void {
  if (!Array.isArray(toDelete)) throw bad('invalid patch format of primitive list');
  const cur = out[field];
  if (Array.isArray(cur)) out[field] = deleteFromList(cur, toDelete);
}
