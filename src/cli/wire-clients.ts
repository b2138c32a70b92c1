/**
 * The clients of `kubeling server`'s own components. By default each connects to the API
 * server of this process in memory (no TLS, no socket: see ApiServer.acceptInProcess) as
 * the user its client certificate would name upstream; the client, informers and component
 * code are the ones a component on another machine runs, only the connection differs.
 * `--in-process-https` makes them all connect over HTTPS on loopback with the admin
 * certificate instead (the network path, as before in-memory connections existed).
 */
import type { ApiServer, UserInfo } from '../apiserver/index.js';
import { Client } from '../client/index.js';

/** Who each in-process component is (upstream's component identities). */
export const IDENTITIES = {
  /** The shared informers, reading for every component: kube-apiserver's own loopback user. */
  server: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] },
  controllerManager: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
  scheduler: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
  node: (name: string): UserInfo => ({ username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] }),
  /** Cluster DNS: CoreDNS's service account in upstream clusters. */
  dns: {
    username: 'system:serviceaccount:kube-system:coredns',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
  },
  /** ServiceLB, like k3s's controllers (system:k3s-controller there). */
  serviceLB: { username: 'system:kubeling-controller', groups: ['system:authenticated'] },
} satisfies Record<string, UserInfo | ((name: string) => UserInfo)>;

export type ClientFor = (user: UserInfo) => Client;

/**
 * A factory of component clients: in memory as `user`, or (`https`) the admin kubeconfig's.
 * In memory the config still carries the cluster CA: components read it (the node agent
 * trusts the API server's kubelet-client certificate by it).
 */
export function componentClients(api: ApiServer, o: { url: string; kubeconfig: string; caCert: string; https: boolean }): ClientFor {
  if (o.https) return () => Client.fromKubeconfig(o.kubeconfig);
  return user => new Client({ url: o.url, ca: o.caCert, inProcess: conn => api.acceptInProcess(conn, user) });
}
