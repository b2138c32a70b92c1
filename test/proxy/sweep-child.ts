/**
 * TEST ONLY — a test run to interrupt: makes a TestNet (bridge, netns, a server process
 * inside), chains under its own prefix with a jump from OUTPUT, and the service-range
 * routes, registers them like the harnesses do, prints them as JSON, then waits.
 */
import { ChainNames, Iptables, ServiceRoutes, tableFor, randomPrefix } from '../../src/proxy/index.js';
import { TestNet } from './netns.js';
import { freeServiceCidr, registerRun } from './sweep.js';

const prefix = randomPrefix();
const serviceCidr = freeServiceCidr();
registerRun({ prefix, serviceCidr });
const net = await TestNet.create(1);
await net.serve(0);
const names = new ChainNames(prefix);
await new Iptables().restore(`*nat\n:${names.services} - [0:0]\n-A ${names.services} -d ${serviceCidr} -j RETURN\n-I OUTPUT 1 -m comment --comment "sweep test" -j ${names.services}\nCOMMIT\n`);
await new ServiceRoutes({ serviceCidr, table: tableFor(prefix) }).ensure();
console.log(JSON.stringify({ prefix, serviceCidr, netId: net.id, serverPid: net.pods[0]!.server!.pid }));
setInterval(() => {}, 60_000);
