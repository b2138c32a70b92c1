/**
 * metrics.k8s.io for the API server, the way metrics-server builds it: ask each node's
 * agent for its Summary (`GET /stats/summary` on the agent's authenticated endpoint)
 * and turn CPU rates and memory working sets into NodeMetrics and PodMetrics. Asked on
 * demand (the agent keeps two-point readings, so answers are current); agents that do
 * not answer within a few seconds, or have no rate yet, are left out, as metrics-server does.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { nodeMetrics, podMetrics, SAMPLE_INTERVAL_MS, type NodeMetrics, type PodMetrics, type Summary, type Usage } from '../metrics/index.js';
import { agentRequest, nodeAgentIfReachable, type AgentClientCert, type AgentEndpoint } from './agent-endpoint.js';

const TIMEOUT_MS = 5_000;

/** What the source needs of the API server's storage (structurally its Registry). */
export interface ListingRegistry {
  for(ri: ResourceInfo): { list(p: { namespace?: string }): Promise<{ items: KubeObject[] }> };
}

export interface AgentMetricsSource {
  nodes(): Promise<NodeMetrics[]>;
  pods(namespace?: string): Promise<PodMetrics[]>;
}

function getJson<T>(a: AgentEndpoint, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = agentRequest(a, { path, timeout: TIMEOUT_MS }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`agent answered ${res.statusCode}`));
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T); } catch (e) { reject(e as Error); }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('agent did not answer in time')));
    req.on('error', reject);
    req.end();
  });
}

const usageOf = (s: { cpu: { time: string; usageNanoCores?: number }; memory: { workingSetBytes: number } }): Usage | undefined =>
  s.cpu.usageNanoCores === undefined ? undefined
    : { cpuNanoCores: s.cpu.usageNanoCores, memoryWorkingSetBytes: s.memory.workingSetBytes, windowMs: SAMPLE_INTERVAL_MS, timestamp: new Date(s.cpu.time) };

export function agentMetricsSource(registry: ListingRegistry, client?: AgentClientCert): AgentMetricsSource {
  const nodesStore = registry.for(findResource('', 'v1', 'nodes')!);
  const podsStore = registry.for(findResource('', 'v1', 'pods')!);

  async function summaries(): Promise<{ node: Node; summary: Summary }[]> {
    const nodes = (await nodesStore.list({})).items as Node[];
    const got = await Promise.all(nodes.map(async node => {
      try {
        const agent = nodeAgentIfReachable(node, client);
        if (!agent) return undefined;
        return { node, summary: await getJson<Summary>(agent, '/stats/summary') };
      } catch {
        return undefined; // an unreachable agent: its node and pods have no metrics now
      }
    }));
    return got.filter((x): x is { node: Node; summary: Summary } => x !== undefined);
  }

  return {
    async nodes() {
      const out: NodeMetrics[] = [];
      for (const { node, summary } of await summaries()) {
        const u = usageOf({ cpu: summary.node.cpu, memory: summary.node.memory });
        if (u) out.push(nodeMetrics({ name: node.metadata!.name!, labels: node.metadata?.labels }, u));
      }
      return out;
    },
    async pods(namespace) {
      const [all, pods] = await Promise.all([summaries(), podsStore.list({ namespace })]);
      const byUid = new Map((pods.items as Pod[]).map(p => [p.metadata!.uid!, p]));
      const out: PodMetrics[] = [];
      for (const { summary } of all) {
        for (const ps of summary.pods) {
          const pod = byUid.get(ps.podRef.uid);
          if (!pod || !ps.containers.length) continue;
          const cs = ps.containers.map(c => ({ name: c.name, usage: usageOf(c) }));
          // A pod with any container lacking a rate is left out, as metrics-server does.
          if (cs.some(c => !c.usage)) continue;
          out.push(podMetrics({ namespace: ps.podRef.namespace, name: ps.podRef.name, labels: pod.metadata?.labels }, cs as { name: string; usage: Usage }[]));
        }
      }
      return out;
    },
  };
}
