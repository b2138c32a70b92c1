/**
 * `kubeling server` for the node tests: the real startServer (so the real wire-agent.ts
 * runs), plus registerNodeProxies until src/cli/server.ts calls it itself.
 * Usage: node server-main.js '<ServerFlags JSON>' (agent settings come from KUBELING_* env).
 */
import { startServer, type ServerFlags } from '../../src/cli/server.js';
import { log } from '../../src/cli/log.js';
import { registerNodeProxies } from '../../src/node/index.js';

const flags = JSON.parse(process.argv[2]!) as ServerFlags;
const srv = await startServer(flags);
if (!srv.api.streams.has('log')) registerNodeProxies(srv.api as never);
log.info('test server wired');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await srv.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
