/** `npm run bench`: runs each area's benchmark and prints one table each. Args filter by name. */
import { benchApi } from './api.js';
import { benchControllers } from './controllers.js';
import { benchNode } from './node.js';
import { benchRuntime } from './runtime.js';
import { benchScheduler } from './scheduler.js';
import { benchStore } from './store.js';
import { benchServices } from './services.js';
import { benchStreaming } from './streaming.js';
import { machineSpeed } from './machine-speed.js';

const benches: Record<string, () => Promise<object[]>> = {
  store: benchStore,
  api: benchApi,
  scheduler: () => benchScheduler(),
  controllers: () => benchControllers(),
  runtime: benchRuntime,
  node: benchNode,
  services: benchServices,
  streaming: benchStreaming,
};

const only = process.argv.slice(2);
for (const [name, fn] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  console.log(machineSpeed());
  try {
    console.table(await fn());
  } catch (e) {
    console.error(`bench ${name} failed:`, e);
    process.exitCode = 1;
  }
  console.log(`after ${name}: ${machineSpeed()}`);
}
