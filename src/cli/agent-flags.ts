/** The node agent's `kubeling server` flags (named like the kubelet's where it has one). */
import { InvalidArgumentError, type Command } from 'commander';
import { parseDurationMs, type AgentFlags } from './wire-agent.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('want a port number (0 = any free port)');
  return n;
};
const duration = (v: string) => {
  try { return parseDurationMs(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
};

export function withAgentFlags(cmd: Command): Command {
  return cmd
    .option('--node-ip <ip>', 'this node\'s InternalIP (default: the address of the default route\'s interface)')
    .option('--kubelet-address <ip>', 'address the node agent serves logs/exec on', '127.0.0.1')
    .option('--kubelet-port <port>', 'port of the node agent (0 = any free port)', port, 10250)
    .option('--pod-cidr <cidr>', 'this node\'s pod range (default: the first /24 of --cluster-cidr)')
    .option('--cni-bridge <name>', 'Linux bridge the pods attach to', 'kubeling0')
    .option('--cgroup-root <path>', 'cgroup under which pods are placed', '/kubeling')
    .option('--runc-root <dir>', 'runc state directory', '/run/kubeling/runc')
    .option('--images-dir <dir>', 'local image store (default: <data-dir>/images)')
    .option('--no-ip-masq', 'do not masquerade pod traffic leaving the node')
    .option('--no-unreachable-route', 'do not add the unreachable route over --cluster-cidr')
    .option('--node-status-update-frequency <duration>', 'how often the node status is posted (default: 10s)', duration)
    .option('--node-lease-renew-interval <duration>', 'how often the node lease is renewed (default: 10s)', duration);
}

export function agentFlagsFrom(o: Record<string, unknown>): AgentFlags {
  return {
    nodeIP: o.nodeIp as string | undefined, address: o.kubeletAddress as string, port: o.kubeletPort as number,
    podCidr: o.podCidr as string | undefined, bridge: o.cniBridge as string, cgroupRoot: o.cgroupRoot as string,
    runcRoot: o.runcRoot as string, imagesDir: o.imagesDir as string | undefined, ipMasq: o.ipMasq as boolean,
    unreachableRoute: o.unreachableRoute as boolean,
    statusIntervalMs: o.nodeStatusUpdateFrequency as number, leaseIntervalMs: o.nodeLeaseRenewInterval as number,
  };
}
