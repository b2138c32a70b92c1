/**
 * Serves metrics.k8s.io/v1beta1 (what metrics-server serves behind kube-apiserver's
 * aggregation layer): NodeMetrics and PodMetrics, get and list, label and field
 * selectors. The objects come from a source the node side plugs in (it asks the node
 * agents); without one the lists are empty. Nothing is stored: metrics are live.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';
import { sendJson } from '../http-util.js';
import type { ResourceRequest } from '../request-info.js';
import { METRICS_GROUP, metricsNotFound, nodeMetricsList, podMetricsList, type MetricsItem } from './metrics-api.js';

export interface ResourceMetricsSource {
  /** NodeMetrics of every node whose agent answered with readings. */
  nodes(): Promise<MetricsItem[]>;
  /** PodMetrics of the pods in `namespace` (all when undefined). */
  pods(namespace?: string): Promise<MetricsItem[]>;
}

const NONE: ResourceMetricsSource = { nodes: async () => [], pods: async () => [] };

export async function serveMetricsApi(source: ResourceMetricsSource | undefined, req: IncomingMessage, res: ServerResponse, info: ResourceRequest, q: URLSearchParams): Promise<void> {
  const src = source ?? NONE;
  const plural = info.plural;
  if ((plural !== 'nodes' && plural !== 'pods') || info.subresource || (plural === 'nodes' && info.namespace)) {
    throw new NotFoundError('the server could not find the requested resource');
  }
  const w = q.get('watch');
  if (req.method !== 'GET' || info.legacyWatch || w === 'true' || w === '1') {
    throw new MethodNotAllowedError('the server does not allow this method on the requested resource', { group: METRICS_GROUP, kind: plural });
  }
  const items = plural === 'nodes' ? await src.nodes() : await src.pods(info.namespace);
  if (info.name !== undefined) {
    const one = items.find(i => i.metadata.name === info.name && (plural === 'nodes' || i.metadata.namespace === info.namespace));
    if (!one) return sendJson(res, 404, metricsNotFound(plural, info.name));
    return sendJson(res, 200, one);
  }
  const ls = q.get('labelSelector');
  const fs = q.get('fieldSelector');
  const lm = ls ? parseLabelSelector(ls) : undefined;
  const fm = fs ? parseFieldSelector({ group: METRICS_GROUP, plural }, fs) : undefined;
  const kept = fm ? items.filter(i => fm.matches(i as unknown as KubeObject)) : items;
  const o = { namespace: info.namespace, ...(lm ? { matches: (l: Record<string, string>) => lm.matches(l) } : {}) };
  return sendJson(res, 200, plural === 'nodes' ? nodeMetricsList(kept, o) : podMetricsList(kept, o));
}
