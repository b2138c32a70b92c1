/**
 * A throw-away "agent" for the restart test: starts a pod with a ticking container,
 * prints the ids as JSON and exits without cleaning up, as a crashed agent would.
 */
import { ImageStore } from '../../src/node/runtime/images/store.js';
import { RuncRuntime, type RuncRuntimeOptions } from '../../src/node/runtime/runc/runc-runtime.js';

const o = JSON.parse(process.argv[2]!) as Omit<RuncRuntimeOptions, 'images'> & { imagesRoot: string; helper: string };
const images = await ImageStore.open({ root: o.imagesRoot, helper: o.helper });
const rt = await RuncRuntime.create({ ...o, images });
const sb = await rt.runSandbox({ name: 'restart', namespace: 'default', uid: 'u-restart', hostname: 'restart', labels: { test: 'restart' } });
const id = await rt.createContainer(sb.id, {
  name: 'ticker', image: 'busybox', labels: { test: 'restart' },
  command: ['sh', '-c', 'i=0; while [ $i -lt 15 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done; exit 5'],
});
await rt.startContainer(id);
process.stdout.write(JSON.stringify({ sandboxId: sb.id, containerId: id }));
process.exit(0);
