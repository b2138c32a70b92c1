/**
 * Writing objects as server-side apply does: merging an applied configuration into the
 * live object (the configuration wins; associative lists merge item by item, atomic
 * values are replaced) and removing the fields an applier gave up.
 */
import { clone, isObject, type Json, type JsonObject } from './json.js';
import { FieldSet, type Path } from './fieldset.js';
import { childField, elemField, type Field } from './schema.js';
import { granularList, itemElements } from './ssa-walk.js';

/** `config` merged over `live`; neither is mutated. `null` in the config removes a field. */
export function structuredMerge(live: Json | undefined, config: Json, f: Field | undefined): Json {
  if (isObject(config) && !f?.atomic) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else out[k] = structuredMerge(out[k], v, childField(f, k));
    }
    return out;
  }
  if (Array.isArray(config) && granularList(f)) {
    return mergeItems(Array.isArray(live) ? live : [], config, f);
  }
  return clone(config);
}

/**
 * Merges list items by key. Items in both lists take the configuration's order, items
 * only in the live list stay where they were, new items go where the configuration put
 * them (structured-merge-diff's ordering rules).
 */
function mergeItems(l: Json[], r: Json[], f: Field | undefined): Json[] {
  const ef = elemField(f);
  const lpe = itemElements(l, f, []), rpe = itemElements(r, f, [], true);
  const lby = new Map<string, Json>(), rby = new Map<string, Json>();
  lpe.forEach((pe, i) => { if (!lby.has(pe)) lby.set(pe, l[i]); });
  rpe.forEach((pe, i) => rby.set(pe, r[i]));
  const shared = rpe.filter(pe => lby.has(pe));
  let next = shared.shift();
  const done = new Set<string>();
  const out: Json[] = [];
  let li = 0, ri = 0;
  const takeRight = (pe: string): void => {
    done.add(pe);
    out.push(structuredMerge(lby.get(pe), rby.get(pe)!, ef));
  };
  while (li < l.length || ri < r.length) {
    if (li < l.length && ri < r.length) {
      const pe = lpe[li];
      if (pe === rpe[ri]) {
        takeRight(pe);
        li++; ri++;
        next = shared.shift();
        continue;
      }
      if (rby.has(pe) && next !== undefined && next !== pe) { li++; continue; }
    }
    if (li < l.length) {
      const pe = lpe[li];
      if (!rby.has(pe)) { out.push(l[li++]); continue; }
      if (done.has(pe)) { li++; continue; }
    }
    if (ri < r.length) {
      const pe = rpe[ri++];
      takeRight(pe);
      if (next === pe) next = shared.shift();
    }
  }
  return out;
}

/** Removes every member path of `set` (with everything below it) from `v`, in place. */
export function removeItems(v: Json, set: FieldSet, f: Field | undefined): Json {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const sub = set.child('f:' + k);
      if (!sub) continue;
      if (sub.has([])) delete v[k];
      else v[k] = removeItems(v[k], sub, childField(f, k));
    }
    return v;
  }
  if (Array.isArray(v) && granularList(f)) {
    const ef = elemField(f);
    const pes = itemElements(v, f, []);
    const out: Json[] = [];
    v.forEach((item, i) => {
      const sub = set.child(pes[i]);
      if (!sub) out.push(item);
      else if (!sub.has([])) out.push(removeItems(item, sub, ef));
    });
    return out;
  }
  return v;
}

/**
 * The paths an applier gives up that nobody keeps: members of its previous set (plus the
 * struct fields above them, which apply treats as owned too) that neither its new set
 * nor any other manager owns, directly or below. Key fields of a kept list item stay.
 */
export function prunable(last: FieldSet, keep: FieldSet, root: Field | undefined): FieldSet {
  const out = new FieldSet();
  const seen = new Set<string>();
  for (const p of last.paths()) {
    const fields = fieldsAlong(p, root);
    const named = p.slice(0, -1).map((_, i) => p.slice(0, i + 1)).filter((q, i) => q[i].startsWith('f:') && !parentOf(fields, i, root)?.map);
    for (const q of [p, ...named]) {
      const id = q.join('\u0000');
      if (seen.has(id)) continue;
      seen.add(id);
      if (!keep.ownsAnyAt(q) && !(q === p && isKeyField(p, fields, root))) out.insert(q);
    }
  }
  return out;
}

/** fields[i] describes the value at p[0..i]. */
function fieldsAlong(p: Path, root: Field | undefined): (Field | undefined)[] {
  const out: (Field | undefined)[] = [];
  let f = root;
  for (const pe of p) {
    f = pe.startsWith('f:') ? childField(f, pe.slice(2)) : elemField(f);
    out.push(f);
  }
  return out;
}

const parentOf = (fields: (Field | undefined)[], i: number, root: Field | undefined): Field | undefined => (i === 0 ? root : fields[i - 1]);

/** `…[k:{"name":"c"}].f:name`: a key field of an associative list item. */
function isKeyField(p: Path, fields: (Field | undefined)[], root: Field | undefined): boolean {
  const n = p.length;
  if (n < 2 || !p[n - 1].startsWith('f:') || !p[n - 2].startsWith('k:')) return false;
  return parentOf(fields, n - 2, root)?.keys?.includes(p[n - 1].slice(2)) ?? false;
}
