/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by
 * key, `null` deletes a key, anything else (lists included) replaces. `kubectl label`,
 * `annotate` and `scale` send these.
 */
import { BadRequestError } from '../errors.js';
import { clone, isObject, type Json, type JsonObject } from './json.js';

/** Applies an RFC 7386 patch to a copy of `doc`. The patch must be an object. */
export function mergePatch(doc: JsonObject, patch: unknown): JsonObject {
  // evanphx/json-patch answers ErrBadJSONPatch for a body that is not an object; an
  // array would replace the whole document, which no Kubernetes object can be.
  if (!isObject(patch)) throw new BadRequestError('Invalid JSON Patch');
  return mergeObject(clone(doc), patch);
}

function mergeObject(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete target[k];
    } else if (isObject(v)) {
      const cur = target[k];
      target[k] = mergeObject(isObject(cur) ? cur : {}, v);
    } else {
      target[k] = clone(v as Json);
    }
  }
  return target;
}
