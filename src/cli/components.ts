/**
 * What every control-plane or node component gets from the process that runs it:
 * a client to the API server (the only way components talk), a shared informer
 * factory, and a logger. `kubeling server` builds one and starts each component.
 */
import type { Client, SharedInformerFactory } from '../client/index.js';
import type { MetricsRegistry } from '../metrics/index.js';

export interface ComponentContext {
  client: Client;
  informers: SharedInformerFactory;
  /** This machine's node name. */
  nodeName: string;
  /** The server's data dir (components keep state under it). */
  dataDir: string;
  /** Cluster-wide settings from flags. */
  config: ClusterConfig;
  /** The /metrics registry of this process, for in-process components (the API server's in `kubeling server`). */
  metrics?: MetricsRegistry;
  /** The cluster CA (PEM) in `kubeling server`: the root CA publisher gives it to every namespace. */
  caCert?: string;
}

export interface ClusterConfig {
  clusterCidr: string;
  serviceCidr: string;
  /** --cluster-domain (cluster DNS zone, pods' search path); default cluster.local. */
  clusterDomain?: string;
  /** Node-monitor grace period (s): a node silent this long becomes NotReady/Unknown. */
  nodeMonitorGracePeriod: number;
  /** Default toleration seconds for not-ready/unreachable taints. */
  podEvictionTimeout: number;
  /** --terminated-pod-gc-threshold: terminated pods kept before pod GC deletes the oldest (upstream 12500; ≤ 0 disables). */
  terminatedPodGCThreshold?: number;
}

export interface Component {
  name: string;
  stop(): Promise<void>;
}
