/** Builds one object filter from a request's labelSelector and fieldSelector. */
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../../api/resources.js';
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';

export interface ObjectFilter {
  matches?: (o: KubeObject) => boolean;
  /** A single metadata.name the field selector pins (lets list read one key). */
  name?: string;
  /** A metadata.namespace the field selector pins. */
  namespace?: string;
}

export function filterOf(ri: ResourceInfo, q: URLSearchParams): ObjectFilter {
  const ls = q.get('labelSelector');
  const fs = q.get('fieldSelector');
  const lm = ls ? parseLabelSelector(ls) : undefined;
  const fm = fs ? parseFieldSelector(ri, fs) : undefined;
  const out: ObjectFilter = {};
  if (lm && lm.empty) {
    // an empty selector string matches everything
  }
  if (lm || fm) {
    out.matches = (o: KubeObject) =>
      (!lm || lm.matches(o.metadata?.labels ?? {})) && (!fm || fm.matches(o));
  }
  if (fm) {
    out.name = fm.exact('metadata.name');
    out.namespace = fm.exact('metadata.namespace');
  }
  return out;
}
