/**
 * The node agent alone in its own process, against a running API server (what
 * `kubeling agent` will be): used by the benchmark to measure the agent's own RSS and CPU.
 * Usage: node agent-main.js '<{kubeconfig, input: AgentOptionsInput minus client/informers}>'.
 */
import { Client, SharedInformerFactory } from '../../src/client/index.js';
import { log } from '../../src/cli/log.js';
import { NodeAgent, type AgentOptionsInput } from '../../src/node/index.js';

const o = JSON.parse(process.argv[2]!) as { kubeconfig: string; input: Omit<AgentOptionsInput, 'client' | 'informers' | 'logger'> };
const client = Client.fromKubeconfig(o.kubeconfig);
const informers = new SharedInformerFactory(client);
const agent = await NodeAgent.start({ ...o.input, client, informers, logger: log });
informers.start();
log.info('agent process ready');
if (process.env.KUBELING_TEST_LOOP_LAG) {
  const mb = (n: number) => Math.round(n / 1048576);
  setInterval(() => { const m = process.memoryUsage(); log.info('agent memory', { rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) }); }, 3000).unref();
}
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void agent.stop().then(() => { informers.stop(); process.exit(0); });
});
