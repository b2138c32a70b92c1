/**
 * The controller manager alone in its own process, for measuring it (bench/controllers.ts):
 * the real startControllers (leader election, every controller) against a server's
 * kubeconfig, with its own client and informers — what `kubeling server` runs inside.
 * Usage: node controller-manager-main.js <kubeconfig> <dataDir>
 */
import { Client, SharedInformerFactory } from '../src/client/index.js';
import type { ComponentContext } from '../src/cli/components.js';
import { startControllers } from '../src/cli/wire-controllers.js';

const [kubeconfig, dataDir] = process.argv.slice(2) as [string, string];
const client = Client.fromKubeconfig(kubeconfig, { component: 'controller-manager' });
const informers = new SharedInformerFactory(client);
const ctx: ComponentContext = {
  client, informers, nodeName: 'bench-controller-manager', dataDir,
  config: { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', nodeMonitorGracePeriod: 40, podEvictionTimeout: 300 },
};
const components = await startControllers(ctx);
informers.start();
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  for (const c of components.reverse()) await c.stop().catch(() => {});
  informers.stop();
  process.exit(0);
});
