/** `kubeling server --event-ttl`: events go away once their last write is older than the TTL; newer ones stay. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { k, startTestServer, type TestServer } from './harness.js';

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const event = (name: string, at: string, series?: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' }, reason: 'Test', message: 'm', type: 'Normal',
  firstTimestamp: at, lastTimestamp: at, count: 1, source: { component: 'test' },
  ...(series ? { eventTime: `${at.slice(0, -1)}.000000Z`, series: { count: 2, lastObservedTime: series }, reportingComponent: 'test', reportingInstance: 'i', action: 'A' } : {}),
});

describe('event TTL', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(['--disable-agent', '--disable-controllers', '--disable-scheduler', '--event-ttl', '3s']); });
  after(async () => { await ts.stop(); });

  it('rejects a bad --event-ttl', async () => {
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const r = spawnSync(process.execPath, [main, 'server', '--event-ttl', 'soon', '--data-dir', '/nonexistent/never-created'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /option '--event-ttl <duration>' argument 'soon' is invalid/);
  });

  it('deletes events last written longer ago than the TTL, keeps newer ones', async () => {
    const later = Date.now() + 3_600_000; // written "in an hour": not expired during this test whatever the machine's pace
    await k(ts, ['create', '-f', '-'], event('old', '2020-01-01T00:00:00Z'));
    await k(ts, ['create', '-f', '-'], event('kept', rfc3339(later)));
    // An old event whose series was observed later (upstream's events API): its last write counts.
    await k(ts, ['create', '-f', '-'], event('old-but-ongoing', '2020-01-01T00:00:00Z', new Date(later).toISOString().replace('Z', '000Z')));
    let names: string[];
    do {
      await new Promise(r => setTimeout(r, 200));
      names = (await k(ts, ['get', 'events', '-o', 'name'])).trim().split('\n').filter(Boolean);
    } while (names.includes('event/old'));
    assert.deepEqual(names.sort(), ['event/kept', 'event/old-but-ongoing']);
  });
});
