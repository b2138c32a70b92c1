/**
 * Deployment strategies, end to end: RollingUpdate bounds (percentages rounded like
 * upstream: surge up, unavailable down) checked on every watch event, Recreate never
 * overlapping old and new pods, proportional scaling of a stuck rollout (upstream's e2e
 * numbers), minReadySeconds, and progressDeadlineSeconds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { Client, Informer, silentLogger } from '../../src/client/index.js';
import { k, startTestServer, type TestServer } from '../e2e/harness.js';
import { FakePodReadiness, POD, apply, deploymentYaml, items, kjson, waitFor } from './controller-utils-testing.js';

const RS = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const isReady = (p: KubeObject) => (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

/** Watches a label's ReplicaSets and pods and keeps running extremes, event by event. */
class RolloutWatch {
  maxDesired = 0;
  minReady = Infinity;
  overlap = false;
  readonly #rs: Informer<KubeObject>;
  readonly #pods: Informer<KubeObject>;

  constructor(client: Client, ns: string, app: string) {
    const scope = { namespace: ns, labelSelector: `app=${app}`, logger: silentLogger };
    this.#rs = new Informer(client, RS, scope);
    this.#pods = new Informer(client, POD, scope);
    // Events of one resource arrive in store order, so each sum is a state that existed.
    const onRs = () => { this.maxDesired = Math.max(this.maxDesired, this.#rs.list().reduce((n, r) => n + (r.spec?.replicas ?? 0), 0)); };
    const onPod = () => {
      const live = this.#pods.list().filter(p => !p.metadata?.deletionTimestamp);
      this.minReady = Math.min(this.minReady, live.filter(isReady).length);
      if (new Set(live.map(p => p.metadata!.labels!['pod-template-hash'])).size > 1) this.overlap = true;
    };
    this.#rs.addEventHandler({ onAdd: onRs, onUpdate: onRs, onDelete: onRs });
    this.#pods.addEventHandler({ onAdd: onPod, onUpdate: onPod, onDelete: onPod });
  }

  async start(): Promise<void> {
    this.#rs.start(); this.#pods.start();
    await Promise.all([this.#rs.waitForSync(), this.#pods.waitForSync()]);
    this.maxDesired = 0; this.minReady = Infinity; this.overlap = false;
  }

  stop(): void { this.#rs.stop(); this.#pods.stop(); }
}

describe('Deployment strategies (e2e, kubectl)', () => {
  let ts: TestServer;
  let client: Client;
  before(async () => {
    ts = await startTestServer(['--disable-agent', '--disable-scheduler']);
    client = Client.fromKubeconfig(ts.kubeconfig);
  });
  after(async () => { client?.close(); await ts?.stop(); });

  const inNs = async (ns: string) => { await k(ts, ['create', 'namespace', ns]); return new FakePodReadiness(ts, { namespace: ns, delayMs: 150 }); };
  const sets = async (ns: string, app: string) => (await items(ts, ['-n', ns, 'get', 'rs', '-l', `app=${app}`]))
    .sort((a, b) => Number(a.metadata!.annotations!['deployment.kubernetes.io/revision']) - Number(b.metadata!.annotations!['deployment.kubernetes.io/revision']));

  it('RollingUpdate keeps within maxSurge 25% (rounded up) and maxUnavailable 25% (rounded down)', async () => {
    const ready = await inNs('roll');
    try {
      await apply(ts, deploymentYaml({ name: 'roll', ns: 'roll', replicas: 10 }));
      await k(ts, ['-n', 'roll', 'rollout', 'status', 'deploy/roll', '--timeout=60s']);
      const [first] = await sets('roll', 'roll');
      assert.equal(first!.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '13'); // 10 + ceil(2.5)
      const w = new RolloutWatch(client, 'roll', 'roll');
      await w.start();
      await k(ts, ['-n', 'roll', 'set', 'image', 'deploy/roll', 'main=nginx:1.26']);
      await k(ts, ['-n', 'roll', 'rollout', 'status', 'deploy/roll', '--timeout=90s']);
      w.stop();
      assert.ok(w.maxDesired <= 13, `desired pods peaked at ${w.maxDesired} (> 10 + 3 surge)`);
      assert.ok(w.maxDesired > 10, 'the rollout used its surge');
      assert.ok(Number.isFinite(w.minReady), 'pod events were seen');
      assert.ok(w.minReady >= 8, `ready pods fell to ${w.minReady} (< 10 - 2 unavailable)`);
      const [oldRS, newRS] = await sets('roll', 'roll');
      assert.deepEqual([oldRS!.spec.replicas, newRS!.spec.replicas], [0, 10]);
    } finally { await ready.stop(); }
  });

  it('Recreate scales the old pods away before the first new one exists', async () => {
    const ready = await inNs('rec');
    try {
      await apply(ts, deploymentYaml({ name: 'rec', ns: 'rec', replicas: 3, strategy: '    type: Recreate' }));
      await k(ts, ['-n', 'rec', 'rollout', 'status', 'deploy/rec', '--timeout=60s']);
      const w = new RolloutWatch(client, 'rec', 'rec');
      await w.start();
      await k(ts, ['-n', 'rec', 'set', 'image', 'deploy/rec', 'main=nginx:1.26']);
      await k(ts, ['-n', 'rec', 'rollout', 'status', 'deploy/rec', '--timeout=60s']);
      w.stop();
      assert.equal(w.overlap, false, 'old and new pods existed at the same time');
      assert.ok(w.maxDesired <= 3);
      const [oldRS, newRS] = await sets('rec', 'rec');
      const ev = (await items(ts, ['-n', 'rec', 'get', 'events', '--field-selector', 'involvedObject.kind=Deployment'])).map(e => e.message);
      const down = ev.indexOf(`Scaled down replica set ${oldRS!.metadata!.name} from 3 to 0`);
      const up = ev.indexOf(`Scaled up replica set ${newRS!.metadata!.name} from 0 to 3`);
      assert.ok(down >= 0 && up > down, ev.join('\n'));
    } finally { await ready.stop(); }
  });

  it('scales a stuck rollout proportionally (10 → 30: old 8 → 20, new 5 → 13)', async () => {
    const ready = await inNs('prop');
    try {
      const strategy = '    type: RollingUpdate\n    rollingUpdate: {maxSurge: 3, maxUnavailable: 2}';
      await apply(ts, deploymentYaml({ name: 'prop', ns: 'prop', replicas: 10, strategy }));
      await k(ts, ['-n', 'prop', 'rollout', 'status', 'deploy/prop', '--timeout=60s']);
      ready.paused = true; // the new version never becomes ready: the rollout gets stuck
      await k(ts, ['-n', 'prop', 'set', 'image', 'deploy/prop', 'main=nginx:does-not-start']);
      await waitFor('stuck at 8 + 5', async () => {
        const s = await sets('prop', 'prop');
        return s.length === 2 && s[0]!.spec.replicas === 8 && s[1]!.spec.replicas === 5;
      });
      await k(ts, ['-n', 'prop', 'scale', 'deploy/prop', '--replicas=30']);
      await waitFor('20 + 13', async () => {
        const s = await sets('prop', 'prop');
        return s[0]!.spec.replicas === 20 && s[1]!.spec.replicas === 13;
      });
    } finally { await ready.stop(); }
  });

  it('minReadySeconds delays availability; progressDeadlineSeconds reports a stalled rollout', async () => {
    const ready = await inNs('slow');
    try {
      await apply(ts, deploymentYaml({ name: 'slow', ns: 'slow', replicas: 2, minReadySeconds: 2 }));
      const t0 = Date.now();
      await k(ts, ['-n', 'slow', 'rollout', 'status', 'deploy/slow', '--timeout=60s']);
      assert.ok(Date.now() - t0 >= 2000, 'available before minReadySeconds passed');
      assert.equal((await sets('slow', 'slow'))[0]!.spec.minReadySeconds, 2);

      ready.paused = true;
      await apply(ts, deploymentYaml({ name: 'stall', ns: 'slow', replicas: 2, progressDeadlineSeconds: 2 }));
      const r = await ts.kubectl(['-n', 'slow', 'rollout', 'status', 'deploy/stall', '--timeout=60s']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /deployment "stall" exceeded its progress deadline/);
      const d = await kjson(ts, ['-n', 'slow', 'get', 'deploy', 'stall']);
      const p = d.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
      const [rs] = await sets('slow', 'stall');
      assert.deepEqual([p.status, p.reason, p.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs!.metadata!.name}" has timed out progressing.`]);
    } finally { await ready.stop(); }
  });
});
