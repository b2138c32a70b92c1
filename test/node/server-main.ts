/**
 * `kubeling server` for the node tests: the real startServer (so the real wire-agent.ts
 * runs), plus registerNodeProxies until src/cli/server.ts calls it itself.
 * Usage: node server-main.js '<ServerFlags JSON>' (agent settings in its `agent` field).
 */
import { startServer, type ServerFlags } from '../../src/cli/server.js';
import { log } from '../../src/cli/log.js';
import { registerNodeProxies } from '../../src/node/index.js';

const flags = JSON.parse(process.argv[2]!) as ServerFlags;
const srv = await startServer(flags);
if (!srv.api.streams.has('log')) registerNodeProxies(srv.api as never);
log.info('test server wired');
if (process.env.KUBELING_TEST_LOOP_LAG) {
  // Diagnostics: how long the event loop is held up (API server and agent share it).
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const mb = (n: number) => Math.round(n / 1048576);
  const reqs = new Map<string, number>();
  srv.api.server.on('request', (req: { method?: string; url?: string }) => {
    const k = `${req.method} ${(req.url ?? '').split('?')[0]!.replace(/\/namespaces\/[^/]+/, '/namespaces/*').replace(/(pods|events|leases|nodes)\/[^/]+/, '$1/*')}`;
    reqs.set(k, (reqs.get(k) ?? 0) + 1);
  });
  setInterval(() => { log.info('requests', Object.fromEntries(reqs)); reqs.clear(); }, 5000).unref();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const m = process.memoryUsage();
    const d = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    log.info('loop lag', { p50: Math.round(h.percentile(50) / 1e6), p99: Math.round(h.percentile(99) / 1e6), max: Math.round(h.max / 1e6), rss: mb(m.rss), heap: mb(m.heapUsed), ext: mb(m.external), cpuMs: Math.round((d.user + d.system) / 1000) });
    h.reset();
  }, 2000).unref();
}
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await srv.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
