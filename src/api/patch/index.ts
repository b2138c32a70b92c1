/**
 * Every PATCH flavour kube-apiserver supports, as pure functions on plain JSON objects
 * (inputs are never mutated):
 *
 * - `json`      RFC 6902 JSON patch          application/json-patch+json
 * - `merge`     RFC 7386 JSON merge patch    application/merge-patch+json
 * - `strategic` strategic merge patch        application/strategic-merge-patch+json
 * - `apply`     server-side apply            application/apply-patch+yaml
 *
 * plus the managedFields bookkeeping that ties them together. Faults are thrown as
 * KubelingErrors (400 malformed patch, 409 apply conflict, 415 unknown content type,
 * 422 patch that cannot be applied).
 */
import { parse as parseYaml } from 'yaml';
import { BadRequestError, forbidden, invalid, UnsupportedMediaTypeError } from '../errors.js';
import { serverSideApply } from './apply.js';
import { parseBody, type JsonObject } from './json.js';
import { jsonPatch } from './json-patch.js';
import { recordUpdate } from './managed-fields.js';
import { mergePatch } from './merge-patch.js';
import { strategicMergePatch } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchContext {
  /** Kind and apiVersion of the object patched (they pick the strategic/apply schema). */
  kind: string;
  apiVersion: string;
  /** `fieldManager`: required for apply; for the others, whose managedFields entry to update. */
  manager?: string;
  /** `force`: apply only (true with another patch type is a 422, as upstream). */
  force?: boolean;
  /** RFC 3339 time for managedFields entries (default: now). */
  now?: string;
  /** Subresource patched through (`status`, `scale`), recorded in managedFields. */
  subresource?: string;
}

const CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type of a Content-Type header; 415 for anything else (as handlers/patch.go). */
export function patchTypeFromContentType(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const t = CONTENT_TYPES[ct];
  if (t) return t;
  throw new UnsupportedMediaTypeError(
    'the body of the request was in an unknown format - accepted media types include: ' + Object.keys(CONTENT_TYPES).join(', '));
}

/**
 * Applies `patch` (parsed, or the raw body as text/bytes) to `original`. JSON, merge
 * and strategic patches record the write in managedFields when `ctx.manager` is given;
 * apply always does. The object must exist: use `applyCreate` when it does not.
 */
export function applyPatch(patchType: PatchType, original: object, patch: unknown, ctx: PatchContext): object {
  if (ctx.force === true && patchType !== 'apply') {
    throw invalid('PatchOptions', '', [forbidden('force', 'may not be specified for non-apply patch')], 'meta.k8s.io');
  }
  const doc = original as JsonObject;
  let out: JsonObject;
  switch (patchType) {
    case 'json': out = jsonPatch(doc, parseBody(patch)); break;
    case 'merge': out = mergePatch(doc, parseBody(patch)); break;
    case 'strategic': out = strategicMergePatch(doc, parseBody(patch), ctx.kind); break;
    case 'apply': return serverSideApply(doc, parseApplyBody(patch), ctx);
    default: throw new UnsupportedMediaTypeError(`unknown patch type ${String(patchType)}`);
  }
  if (!ctx.manager) return out;
  return recordUpdate(doc, out, ctx.manager, ctx.apiVersion, 'Update', { now: ctx.now, subresource: ctx.subresource });
}

/** Apply bodies are YAML (JSON being YAML too). */
export function parseApplyBody(body: unknown): unknown {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  try {
    return parseYaml(text);
  } catch (e) {
    throw new BadRequestError(`error decoding YAML: ${(e as Error).message}`);
  }
}

export { applyCreate, serverSideApply, type ApplyContext } from './apply.js';
export {
  decodeManagedFields, encodeManagedFields, fieldsV1Json, managedFieldsAfterUpdate, recordUpdate,
  type ManagedFieldsEntry, type ManagedFieldsOperation, type Manager, type RecordOptions,
} from './managed-fields.js';
export { FieldSet, formatPath } from './fieldset.js';
export { fieldAt, type Field } from './schema.js';
export { jsonPatch } from './json-patch.js';
export { mergePatch } from './merge-patch.js';
export { strategicMergePatch } from './strategic.js';
