/** Keeps metadata.managedFields current on every write (the basis of server-side apply). */
import type { KubeObject } from '../../api/object.js';
import { managedFieldsAfterUpdate } from '../../api/patch/index.js';

export function recordManager(next: KubeObject, prev: KubeObject | undefined, manager: string, operation: 'Update' | 'Apply', subresource?: string): void {
  if (!manager || operation === 'Apply') return; // apply records its own ownership
  const mf = managedFieldsAfterUpdate(prev, next, manager, String(next.apiVersion), operation, subresource);
  if (mf.length > 0) next.metadata!.managedFields = mf; else delete next.metadata!.managedFields;
}
