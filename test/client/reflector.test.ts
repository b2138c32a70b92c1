/** The informer's list/watch sequence against a scripted server: bookmarks move the resume point, 410 relists. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { Client, FakeClock, Informer } from '../../src/client/index.js';
import { CONFIGMAPS, quiet, waitFor } from './helpers.js';

const item = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const line = (type: string, object: unknown) => JSON.stringify({ type, object }) + '\n';

it('resumes from the last BOOKMARK version and relists after a 410 answer', async t => {
  const requests: string[] = [];
  let watches = 0;
  let lists = 0;
  const server = createServer((req, res: ServerResponse) => {
    const u = new URL(req.url!, 'http://x');
    const rv = u.searchParams.get('resourceVersion') ?? '';
    if (u.searchParams.get('watch') !== 'true') {
      requests.push(`list`);
      lists++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const items = lists === 1 ? [item('a', '5')] : [item('b', '20')];
      res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: lists === 1 ? '5' : '20' }, items }));
      return;
    }
    requests.push(`watch rv=${rv} bookmarks=${u.searchParams.get('allowWatchBookmarks')}`);
    watches++;
    if (watches === 1) {
      res.writeHead(200);
      res.write(line('ADDED', item('c', '6')));
      res.write(line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '9' } }));
      res.end();
    } else if (watches === 2) {
      res.writeHead(410, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 9 (15)' }));
    } else {
      res.writeHead(200);
      res.write(line('ADDED', item('d', '21')));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new Client({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  const inf = new Informer(client, CONFIGMAPS, { logger: quiet, initialBackoffMs: 10 });
  t.after(() => { inf.stop(); client.close(); server.closeAllConnections(); server.close(); });
  inf.start();
  await waitFor(() => inf.get('ns/d') !== undefined, 'the watch after the relist');
  assert.deepEqual(requests, [
    'list',
    'watch rv=5 bookmarks=true',
    'watch rv=9 bookmarks=true',
    'list',
    'watch rv=20 bookmarks=true',
  ]);
  assert.deepEqual(inf.keys().sort(), ['ns/b', 'ns/d'], 'the relist replaced a and c');
  assert.equal(inf.lastSyncResourceVersion, '21');
});

it('ends a watch the server never closes after its timeout plus slack, and watches again', async t => {
  const watches: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.searchParams.get('watch') !== 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ metadata: { resourceVersion: '7' }, items: [] }));
      return;
    }
    watches.push(`rv=${u.searchParams.get('resourceVersion')} timeout=${u.searchParams.get('timeoutSeconds')}`);
    res.writeHead(200); // and then silence, as from a vanished peer
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new Client({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  const clock = new FakeClock();
  const inf = new Informer(client, CONFIGMAPS, { logger: quiet, clock, minWatchTimeoutSeconds: 10 });
  t.after(() => { inf.stop(); client.close(); server.closeAllConnections(); server.close(); });
  inf.start();
  await waitFor(() => watches.length === 1, 'first watch');
  const timeout = Number(/timeout=(\d+)/.exec(watches[0])![1]);
  assert.ok(timeout >= 10 && timeout <= 20);
  clock.advance((timeout + 29) * 1000);
  await new Promise(r => setTimeout(r, 50));
  assert.equal(watches.length, 1);
  clock.advance(1000);
  await waitFor(() => watches.length === 2, 'second watch');
  assert.match(watches[1], /^rv=7 /);
});
