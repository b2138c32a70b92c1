/**
 * What a `kubeling fake-nodes --count N …` command needs: N nodes named
 * `<prefix>-<i>` from flag-shaped options, running until the signal aborts.
 */
import type { Client, Logger } from '../../client/index.js';
import { FakeNodePool } from './pool.js';
import { parseLabels, parseTaints } from './spec.js';

export interface RunFakeNodesOptions {
  client: Client;
  count: number;
  prefix?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  /** `k=v,k2=v2` */
  labels?: string;
  /** `k=v:NoSchedule,k2:NoExecute` */
  taints?: string;
  logger?: Logger;
  /** Delete the nodes on exit (default true). */
  cleanup?: boolean;
}

export async function runFakeNodes(o: RunFakeNodesOptions, signal: AbortSignal): Promise<void> {
  const labels = parseLabels(o.labels);
  const taints = parseTaints(o.taints);
  const heartbeatClient = o.client.withComponent('heartbeat');
  const pool = new FakeNodePool({
    client: o.client, heartbeatClient, logger: o.logger,
    nodes: Array.from({ length: o.count }, (_, i) => ({
      name: `${o.prefix ?? 'fake-node'}-${i}`, cpu: o.cpu, memory: o.memory, pods: o.pods, labels, taints,
    })),
  });
  await pool.start();
  o.logger?.info('fake nodes running', { count: o.count });
  await new Promise<void>(r => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
  await pool.stop({ deleteNodes: o.cleanup ?? true });
  heartbeatClient.close();
}
