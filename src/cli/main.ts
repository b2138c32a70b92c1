#!/usr/bin/env node
/** The `kubeling` command. */
import { Command, InvalidArgumentError } from 'commander';
import { startServer } from './server.js';
import { agentFlagsFrom, withAgentFlags } from './agent-flags.js';
import { parseDurationMs } from './wire-agent.js';
import { addServicesFlags, servicesOptionsFromFlags } from './flags-services.js';
import { log } from './log.js';

// A stray rejection in one component must not take the whole cluster down: log it.
process.on('unhandledRejection', err => log.error('unhandled rejection', { err: String((err as Error)?.stack ?? err) }));

/** An integer flag value (commander reports the flag and value when it is not one). */
const intArg = (v: string): number => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('must be an integer.');
  return Number(v);
};

/** A Go-style duration flag ("1h", "30m", "1h30m", "90s"), in ms. */
const durationArg = (v: string): number => {
  try { return parseDurationMs(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
};

const program = new Command();
program.name('kubeling').description('A small, complete Kubernetes').version('0.1.0');

withAgentFlags(program.command('server')
  .description('run the whole cluster on this machine (store, API server, controllers, node agent)')
  .option('--data-dir <dir>', 'state directory', '/var/lib/kubeling')
  .option('--write-kubeconfig <file>', 'where to write the admin kubeconfig', '/etc/kubeling/kubeconfig.yaml')
  .option('--port <port>', 'HTTPS port of the API server', '6443')
  .option('--bind-address <ip>', 'address to listen on', '0.0.0.0')
  .option('--tls-san <name...>', 'extra names/IPs for the serving certificate', [])
  .option('--disable-agent', 'run without the node agent', false)
  .option('--disable-controllers', 'run without the controller manager', false)
  .option('--disable-scheduler', 'run without the scheduler', false)
  .option('--node-name <name>', 'this node\'s name (default: host name)')
  .option('--cluster-cidr <cidr>', 'pod network range', '10.42.0.0/16')
  .option('--service-cidr <cidr>', 'service IP range', '10.43.0.0/16')
  .option('--event-ttl <duration>', 'how long events are kept after their last update (e.g. 1h, 30m; 0 keeps them)', durationArg, 3_600_000)
  .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before the pod garbage collector deletes the oldest (0 disables)', intArg, 12500)
  .option('--in-process-https', 'in-process components talk to the API server over HTTPS on loopback, as remote ones do (default: in-memory connections)', false)
  .option('--control-plane-in-main-thread', "run the controller manager and scheduler on the API server's thread (default: a worker thread of their own)", false)
  .option('--agent-in-main-thread', "run the node agent and service proxy on the API server's thread (default: a worker thread of their own)", false))
  .action(async opts => {
    const srv = await startServer({
      dataDir: opts.dataDir, writeKubeconfig: opts.writeKubeconfig, port: Number(opts.port),
      bindAddress: opts.bindAddress, disableAgent: !!opts.disableAgent, tlsSan: opts.tlsSan,
      disableControllers: !!opts.disableControllers, disableScheduler: !!opts.disableScheduler,
      nodeName: opts.nodeName, clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr,
      agent: agentFlagsFrom(opts),
      services: servicesOptionsFromFlags(opts),
      terminatedPodGCThreshold: opts.terminatedPodGcThreshold, eventTtlMs: opts.eventTtl,
      inProcessHttps: !!opts.inProcessHttps, controlPlaneInMainThread: !!opts.controlPlaneInMainThread,
      agentThread: opts.agentInMainThread ? 'main' : 'own',
    });
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal: sig });
      await srv.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGHUP', () => void stop('SIGHUP')); // a closed terminal must not leave rules behind
  });

// Service proxy, cluster DNS and ServiceLB flags (flags-services.ts).
addServicesFlags(program.commands.find(c => c.name() === 'server')!);

program.command('fake-nodes')
  .description('register N FAKE nodes (like kwok) that report their pods Running without running anything')
  .option('--count <n>', 'how many fake nodes', '3')
  .option('--prefix <name>', 'node name prefix', 'fake-node')
  .option('--cpu <q>', 'CPU capacity per node')
  .option('--memory <q>', 'memory capacity per node')
  .option('--pods <n>', 'pod capacity per node')
  .option('--labels <k=v,...>', 'labels for every node')
  .option('--taints <k=v:Effect,...>', 'taints for every node')
  .option('--kubeconfig <file>', 'kubeconfig of the cluster', '/etc/kubeling/kubeconfig.yaml')
  .action(async opts => {
    const { Client } = await import('../client/index.js');
    const { runFakeNodes } = await import('../node/fake/run.js');
    const ac = new AbortController();
    process.on('SIGINT', () => ac.abort());
    process.on('SIGTERM', () => ac.abort());
    await runFakeNodes({
      client: Client.fromKubeconfig(opts.kubeconfig).withComponent('fake-nodes'), count: Number(opts.count), prefix: opts.prefix,
      cpu: opts.cpu, memory: opts.memory, pods: opts.pods === undefined ? undefined : Number(opts.pods),
      labels: opts.labels, taints: opts.taints, logger: log,
    }, ac.signal);
    process.exit(0);
  });

program.parseAsync(process.argv).catch(err => {
  log.error(String(err?.message ?? err));
  process.exit(1);
});
