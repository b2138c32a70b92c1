/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by
 * key, `null` deletes a key, anything else (lists included) replaces. `kubectl label`,
 * `annotate` and `scale` send these.
 */
import { BadRequestError } from '../errors.js';
import { clone, isObject, setOwn, type Json, type JsonObject } from './json.js';

/**
 * Applies an RFC 7386 patch to `doc` without changing it. The result is new along every
 * path the patch touches and shares the rest with `doc` (a status patch leaves the spec
 * as stored): treat it as read-only below the top level, or copy it. Values taken from
 * the patch are copies.
 */
export function mergePatch(doc: JsonObject, patch: unknown): JsonObject {
  // evanphx/json-patch answers ErrBadJSONPatch for a body that is not an object; an
  // array would replace the whole document, which no Kubernetes object can be.
  if (!isObject(patch)) throw new BadRequestError('Invalid JSON Patch');
  return mergeObject(doc, patch);
}

function mergeObject(target: JsonObject | undefined, patch: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (target) for (const k of Object.keys(target)) setOwn(out, k, target[k]);
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete out[k];
    } else if (isObject(v)) {
      const cur = out[k];
      setOwn(out, k, mergeObject(isObject(cur) ? cur : undefined, v));
    } else {
      setOwn(out, k, clone(v as Json));
    }
  }
  return out;
}
