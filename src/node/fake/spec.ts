/**
 * Fake nodes (like kwok): Node objects with no machine behind them, for scheduler and
 * controller scale tests. Everything they report says so: the `kubeling.io/fake-node`
 * label and annotation, runtime `fake://`, documentation-range addresses.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';

export const FAKE_NODE_LABEL = 'kubeling.io/fake-node';
/** A pod on a fake node "exits" this long after starting (Go duration: 500ms, 5s, 1m). */
export const FAKE_EXIT_AFTER = 'kubeling.io/fake-exit-after';
/** …with this exit code (default 0). */
export const FAKE_EXIT_CODE = 'kubeling.io/fake-exit-code';
export const FAKE_RUNTIME = 'fake://kubeling';

export interface FakeNodeSpec {
  name: string;
  /** Quantities as strings; defaults 32 CPUs, 256Gi, 110 pods. */
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** node.status.images, for ImageLocality tests. */
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

/** The i-th node's addresses: node IPs in 198.18.0.0/15 (benchmark range), pod CIDRs in 10.128.0.0/9. */
export function fakeAddresses(i: number): { nodeIP: string; podCIDR: string; podPrefix: string } {
  const hi = (i >> 8) & 255, lo = i & 255;
  return { nodeIP: `198.18.${hi}.${lo}`, podCIDR: `10.${128 + (hi & 127)}.${lo}.0/24`, podPrefix: `10.${128 + (hi & 127)}.${lo}.` };
}

export function fakeNodeObject(spec: FakeNodeSpec, index: number): Node {
  const { nodeIP, podCIDR } = fakeAddresses(index);
  const resources = {
    cpu: spec.cpu ?? '32', memory: spec.memory ?? '256Gi', pods: String(spec.pods ?? 110),
    'ephemeral-storage': spec.ephemeralStorage ?? '100Gi',
  };
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        [FAKE_NODE_LABEL]: 'true', ...spec.labels,
      },
      annotations: { [FAKE_NODE_LABEL]: 'true' },
    },
    spec: { podCIDR, podCIDRs: [podCIDR], ...(spec.taints?.length ? { taints: spec.taints } : {}) },
    status: {
      capacity: resources, allocatable: resources,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'fake node'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'fake node'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'fake node'),
        cond('Ready', 'True', 'KubeletReady', 'fake node: pods are not run, only reported'),
      ],
      addresses: [{ type: 'InternalIP', address: nodeIP }, { type: 'Hostname', address: spec.name }],
      nodeInfo: {
        machineID: '', systemUUID: '', bootID: '', kernelVersion: 'fake', osImage: 'kubeling fake node',
        containerRuntimeVersion: FAKE_RUNTIME, kubeletVersion: 'v1.30.0-kubeling-fake', kubeProxyVersion: '',
        operatingSystem: 'linux', architecture: 'amd64',
      },
      images: spec.images ?? [],
    },
  };
}

/** `k=v,k2=v2` → labels. */
export function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',').map(x => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    out[i < 0 ? part : part.slice(0, i)] = i < 0 ? '' : part.slice(i + 1);
  }
  return out;
}

/** `k=v:NoSchedule,k2:NoExecute` → taints. */
export function parseTaints(s: string | undefined): Taint[] {
  return (s ?? '').split(',').map(x => x.trim()).filter(Boolean).map(part => {
    const c = part.lastIndexOf(':');
    if (c < 0) throw new Error(`taint "${part}" needs an effect (key=value:Effect)`);
    const effect = part.slice(c + 1);
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) throw new Error(`taint "${part}": unknown effect ${effect}`);
    const kv = part.slice(0, c);
    const e = kv.indexOf('=');
    return e < 0 ? { key: kv, effect } : { key: kv.slice(0, e), value: kv.slice(e + 1), effect };
  });
}

/** Go-style durations: 1.5s, 500ms, 2m, 1h30m. */
export function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0, matched = '';
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched += m[0];
  }
  return matched === s && s ? total : undefined;
}
