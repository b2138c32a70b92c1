/** An in-process API server over a temp SQLite store, plain HTTP, for protocol-level tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { bootstrapCluster } from '../../src/cli/bootstrap.js';

export interface InProcServer { api: ApiServer; store: SqliteStore; url: string; close(): Promise<void> }

export async function startInProc(): Promise<InProcServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeling-api-'));
  const store = await openSqliteStore(join(dir, 'state.db'), { compactInterval: 0 });
  const api = new ApiServer({ store, host: '127.0.0.1', port: 0, anonymousAdmin: true });
  await api.listen();
  await bootstrapCluster(api.registry, { port: 6443 });
  api.setReady(true);
  return {
    api, store, url: api.url,
    async close() { await api.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

export async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { ...init, headers: { 'Content-Type': 'application/json', ...(init?.headers ?? {}) } });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Reads watch events until `until` says stop (or the stream ends / times out). */
export async function watchEvents(url: string, until: (evs: any[]) => boolean, timeoutMs = 5000): Promise<any[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const evs: any[] = [];
  try {
    const r = await fetch(url, { signal: ac.signal });
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value);
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { evs.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
      if (until(evs)) break;
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return evs;
}
