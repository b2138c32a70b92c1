/** A real in-process API server over a fresh SQLite store, and clients for it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { Client, silentLogger } from '../../src/client/index.js';

export interface TestCluster {
  store: SqliteStore;
  api: ApiServer;
  port: number;
  client: (component?: string) => Client;
  /** Stops the API server (connections dropped); the store stays. */
  stopApi: () => Promise<void>;
  /** Starts the API server again on the same port. */
  startApi: () => Promise<void>;
  /** Another API server on the same store (a second port), e.g. to write while the first is down. */
  secondApi: () => Promise<{ api: ApiServer; client: Client }>;
  cleanup: () => Promise<void>;
}

export async function startCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kubeling-client-'));
  const store = await openSqliteStore(join(dir, 'db.sqlite'), { compactInterval: 0 });
  const servers: ApiServer[] = [];
  const clients: Client[] = [];
  const serve = async (port: number) => {
    const api = new ApiServer({ store, port, host: '127.0.0.1', anonymousAdmin: true });
    const addr = await api.listen();
    api.setReady(true);
    servers.push(api);
    return { api, port: addr.port };
  };
  const first = await serve(0);
  const c: TestCluster = {
    store, api: first.api, port: first.port,
    client: (component = 'test') => {
      const cl = new Client({ url: `http://127.0.0.1:${c.port}`, component });
      clients.push(cl);
      return cl;
    },
    stopApi: () => c.api.close(),
    startApi: async () => { c.api = (await serve(c.port)).api; },
    secondApi: async () => {
      const s = await serve(0);
      const cl = new Client({ url: s.api.url, component: 'test-writer' });
      clients.push(cl);
      return { api: s.api, client: cl };
    },
    cleanup: async () => {
      for (const cl of clients) cl.close();
      for (const s of servers) await s.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  const admin = c.client('setup');
  for (const name of ['default', 'kube-system', 'other']) {
    await admin.create({ apiVersion: 'v1', kind: 'Namespace' }, { metadata: { name } });
  }
  return c;
}

export async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

export const quiet = silentLogger;

export const CONFIGMAPS = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
export const PODS = { apiVersion: 'v1', kind: 'Pod' } as const;

export const cm = (name: string, namespace = 'default', data: Record<string, string> = {}) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

export const pod = (name: string, nodeName?: string, namespace = 'default') => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}) },
});
