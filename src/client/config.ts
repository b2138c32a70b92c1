/**
 * Where the API server is and how to prove who we are: explicit settings, a kubeconfig
 * file (the one `kubeling server` writes, or any kubectl one), or a pod's service account.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { Duplex } from 'node:stream';
import { BadRequestError } from '../api/errors.js';

export interface ClientConfig {
  /** e.g. https://127.0.0.1:6443 (plain http only for tests). */
  url: string;
  /** PEM CA bundle trusted for the server's certificate. */
  ca?: string | Buffer;
  /** PEM client certificate and key (mutual TLS). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Bearer token. */
  token?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  /** Namespace for namespaced calls that name none (kubeconfig context namespace; default "default"). */
  namespace?: string;
  /**
   * The program talking (upstream's binary name: kube-controller-manager, kube-scheduler, kubelet):
   * the User-Agent's first word, and so the API server's default field manager (managedFields).
   */
  component?: string;
  /** Parts of the program, appended to the User-Agent as upstream's rest.AddUserAgent does (`…/replicaset-controller`). */
  subComponents?: string[];
  /** Timeout for non-watch requests, ms (default 60 000; 0 = none). */
  timeoutMs?: number;
  /** Most concurrent non-streaming connections; more requests wait for a free one (default 64). */
  maxConnections?: number;
  /**
   * Connect inside this process instead of over the network (`kubeling server`'s own components):
   * called with the server's end of each new in-memory connection, it hands that end to the API
   * server, which serves it as the user it attached (TLS settings and tokens are then unused; `url`
   * still names the server). Only code in the same process can set it; never read from a kubeconfig.
   */
  inProcess?: (serverEnd: Duplex) => void;
  /**
   * Like `inProcess`, for an API server on another thread of this process: returns the client's
   * end of a new connection to it (a LinkSocket of a ThreadLink, whose other end the server thread accepts).
   */
  connect?: () => Duplex;
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
type Dict = Record<string, unknown>;

function pick(list: unknown, name: string | undefined, what: 'cluster' | 'user' | 'context', file: string): Dict {
  const entry = (Array.isArray(list) ? list as Named<Dict>[] : []).find(x => x?.name === name);
  if (!entry) throw new BadRequestError(`kubeconfig ${file}: ${what} "${name}" not found`);
  return (entry[what] as Dict | undefined) ?? {};
}

/** Reads a kubeconfig (default: $KUBECONFIG's first entry, then ~/.kube/config) for `context` (default: current-context). */
export function loadKubeconfig(file?: string, context?: string): ClientConfig {
  const path = file ?? process.env.KUBECONFIG?.split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Dict;
  const ctxName = context ?? (doc['current-context'] as string | undefined);
  const ctx = pick(doc.contexts, ctxName, 'context', path);
  const cluster = pick(doc.clusters, ctx.cluster as string, 'cluster', path);
  const user = ctx.user ? pick(doc.users, ctx.user as string, 'user', path) : {};
  // Paths inside a kubeconfig are relative to the file, as kubectl resolves them.
  const rel = (p: unknown) => (isAbsolute(String(p)) ? String(p) : join(dirname(path), String(p)));
  const material = (data: unknown, filePath: unknown): Buffer | undefined => {
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
    if (typeof filePath === 'string' && filePath) return readFileSync(rel(filePath));
    return undefined;
  };
  const cfg: ClientConfig = { url: String(cluster.server ?? '') };
  if (!cfg.url) throw new BadRequestError(`kubeconfig ${path}: cluster has no server`);
  cfg.ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  cfg.cert = material(user['client-certificate-data'], user['client-certificate']);
  cfg.key = material(user['client-key-data'], user['client-key']);
  if (typeof user.token === 'string' && user.token) cfg.token = user.token;
  else if (typeof user.tokenFile === 'string') cfg.token = readFileSync(rel(user.tokenFile), 'utf8').trim();
  if (cluster['insecure-skip-tls-verify'] === true) cfg.insecureSkipTLSVerify = true;
  if (typeof cluster['tls-server-name'] === 'string') cfg.tlsServerName = cluster['tls-server-name'];
  if (typeof ctx.namespace === 'string' && ctx.namespace) cfg.namespace = ctx.namespace;
  return cfg;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The config a pod gets: KUBERNETES_SERVICE_HOST/PORT and its mounted service account. */
export function inClusterConfig(dir = SA_DIR): ClientConfig {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new BadRequestError('not running in a cluster: KUBERNETES_SERVICE_HOST/PORT unset');
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(dir, 'ca.crt')),
    token: readFileSync(join(dir, 'token'), 'utf8').trim(),
    namespace: readFileSync(join(dir, 'namespace'), 'utf8').trim(),
  };
}
