/**
 * The list half of strategic merge patch, after k8s.io/apimachinery strategicpatch:
 * merging lists by merge key (or as sets of primitives), the `$patch` directives inside
 * list elements, `$setElementOrder/<list>` and the order rules: items named in the patch
 * keep the patch's order, items only on the server keep theirs, and the two are
 * interleaved by their positions in the live list.
 */
import { BadRequestError, InvalidError } from '../errors.js';
import { isObject, shapeOf, show, type Json, type JsonObject } from './json.js';
import { childField, elemField, type Field } from './schema.js';

/** Merges one map of a patch into the original (strategic.ts's mergeMap). */
export type MapMerger = (original: JsonObject | undefined, patch: JsonObject, f: Field | undefined) => JsonObject;

export const SET_ELEMENT_ORDER = '$setElementOrder';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/** Malformed patch. Upstream answers some of these 500; kubeling says 400. */
export function bad(message: string): BadRequestError {
  return new BadRequestError(message);
}

/** The errors kube-apiserver maps to 422 get its generic message. */
function unprocessable(reason: string): InvalidError {
  return new InvalidError('the server rejected our request due to an error in our request', {}, { cause: new Error(reason) });
}

/** `<prefix>/<field>` → `<field>`. */
export function extractKey(key: string, prefix: string): string {
  const i = key.indexOf('/');
  if (i < 0 || key.slice(0, i) !== prefix) {
    throw bad(prefix === SET_ELEMENT_ORDER ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list');
  }
  return key.slice(i + 1);
}

/** 'map' or 'scalar' for the elements of both lists; rejects lists of lists and mixes. */
function elementShape(...lists: Json[][]): 'map' | 'scalar' {
  let seen: string | undefined;
  for (const v of lists.flat()) {
    const s = shapeOf(v) === 'map' ? 'map' : shapeOf(v) === 'list' ? 'list' : typeof v;
    if (s === 'list') throw unprocessable('lists of lists are not supported');
    if (seen !== undefined && seen !== s) throw bad(`list element types are not identical: ${show(lists)}`);
    seen = s;
  }
  return seen === 'map' ? 'map' : 'scalar';
}

function mergeKeyOf(item: Json, mergeKey: string): Json | undefined {
  if (!mergeKey || !isObject(item)) return item;
  if (!(mergeKey in item)) throw bad(`map: ${show(item)} does not contain declared merge key: ${mergeKey}`);
  return item[mergeKey];
}

function indexIn(list: Json[], item: Json, mergeKey: string): number {
  const want = mergeKeyOf(item, mergeKey);
  return list.findIndex(x => (isObject(x) && mergeKey ? x[mergeKey] : x) === want);
}

const isDeleteItem = (v: Json): boolean => isObject(v) && v.$patch === 'delete';

/** Sorts `items` by their positions in `order`; `$patch: delete` items go last. */
function sortByOrder(items: Json[], order: Json[], mergeKey: string): Json[] {
  if (mergeKey) for (const o of order) mergeKeyOf(o, mergeKey);
  const keep = items.filter(v => !isDeleteItem(v));
  const pos = keep.map(v => indexIn(order, v, mergeKey));
  const sorted = keep.map((v, i) => ({ v, p: pos[i], i })).sort((a, b) => a.p - b.p || a.i - b.i).map(x => x.v);
  return [...sorted, ...items.filter(isDeleteItem)];
}

/**
 * Interleaves server-only items (`left`) with patch items (`right`), both already sorted:
 * a server item goes first only when both are in the live list and it came earlier there.
 */
function mergeSorted(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string): Json[] {
  const out: Json[] = [];
  let i = 0, j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey), ri = indexIn(serverOrder, right[j], mergeKey);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

/** Splits `list` into items named in `by` and the rest, keeping their relative order. */
function partition(list: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const named: Json[] = [], rest: Json[] = [];
  for (const v of list) (indexIn(by, v, mergeKey) >= 0 ? named : rest).push(v);
  return [named, rest];
}

function normalizeOrder(list: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string): Json[] {
  const [named, serverOnly] = partition(list, patchOrder, mergeKey);
  return mergeSorted(sortByOrder(serverOnly, serverOrder, mergeKey), sortByOrder(named, patchOrder, mergeKey), serverOrder, mergeKey);
}

/** Deletes `toDelete` from a list of primitives (`$deleteFromPrimitiveList`). */
export function deleteFromList(current: Json[], toDelete: Json[]): Json[] {
  return current.filter(v => !toDelete.some(d => d === v));
}

/** Merges a patch list into a list with the `merge` strategy (field facts `f`). */
export function mergeList(original: Json[], patch: Json[], f: Field | undefined, merge: MapMerger): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const mergeKey = f?.mergeKey ?? '';
  if (elementShape(original, patch) === 'scalar') {
    const merged = [...original, ...patch].filter((v, i, all) => all.indexOf(v) === i);
    return normalizeOrder(merged, patch, original, '');
  }
  if (!mergeKey) throw bad('cannot merge lists without merge key for type map');
  let base = original;
  const plain: JsonObject[] = [];
  let replace = false;
  for (const v of patch as JsonObject[]) {
    if (!('$patch' in v)) { plain.push(v); continue; }
    if (v.$patch === 'delete') {
      const key = mergeKeyOf(v, mergeKey);
      base = base.filter(x => !(isObject(x) && x[mergeKey] === key));
    } else if (v.$patch === 'replace') {
      replace = true;
    } else if (v.$patch === 'merge') {
      throw bad('merging lists cannot yet be specified in the patch');
    } else {
      throw bad(`unknown patch type: ${show(v.$patch)} in map: ${show(v)}`);
    }
  }
  const elem = elemField(f);
  if (replace) {
    const items = plain.map(v => merge(undefined, v, elem));
    return normalizeOrder(items, [], items, mergeKey);
  }
  const merged = [...base];
  for (const v of plain) {
    const i = indexIn(merged, v, mergeKey);
    if (i >= 0) merged[i] = merge(isObject(merged[i]) ? merged[i] as JsonObject : undefined, v, elem);
    else merged.push(merge(undefined, v, elem));
  }
  return normalizeOrder(merged, plain, base, mergeKey);
}

/** Checks that the patch list's items appear in `$setElementOrder` in the same order. */
function validateOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter(v => {
    if (!isObject(v)) throw bad(`expected a map, but received a ${show(v)}`);
    return !isDeleteItem(v);
  }) : patchList;
  let pi = 0, si = 0;
  while (pi < items.length && si < order.length) {
    const item = items[pi];
    if (isObject(item) && '$patch' in item) { pi++; continue; }
    if (mergeKeyOf(item, mergeKey) === mergeKeyOf(order[si], mergeKey)) pi++;
    si++;
  }
  if (pi < items.length) {
    throw bad(`The order in patch list:\n${show(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${show(order)}\n`);
  }
}

/**
 * Handles every `$setElementOrder/<list>` of `patch`: merges `<list>` of the patch into
 * the original and orders the result as the directive says, leaving items the directive
 * does not name (server-only items) where the live list had them. Consumes both keys
 * from `patch`.
 */
export function applySetElementOrder(original: JsonObject, patch: JsonObject, f: Field | undefined, merge: MapMerger): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw bad(`expected a []interface {}, but received a ${show(order)}`);
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const inOriginal = original[field] !== undefined && original[field] !== null;
    const inPatch = patch[field] !== undefined && patch[field] !== null;
    const origList = inOriginal ? original[field] : [];
    const patchList = inPatch ? patch[field] : [];
    if (!Array.isArray(origList) || !Array.isArray(patchList)) throw bad(`expected a []interface {}, but received a ${show(inPatch ? patchList : origList)}`);
    const ff = childField(f, field);
    const mergeKey = ff?.mergeKey ?? '';
    validateOrder(patchList, order, mergeKey);
    if (!inOriginal && !inPatch) continue;
    let merged: Json[];
    if (ff?.smp === 'merge') merged = mergeList(origList, patchList, ff, merge);
    else merged = inPatch ? patchList : origList;
    original[field] = normalizeOrder(merged, order, origList, mergeKey);
    delete patch[field];
  }
}
