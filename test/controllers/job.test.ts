/** Job and TTL-after-finished controllers e2e: the real kubectl, pod outcomes written by a fake kubelet. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { startJobController } from '../../src/controllers/job.js';
import { startTtlAfterFinishedController } from '../../src/controllers/job-ttl.js';
import { k } from '../e2e/harness.js';
import { apply, fakeKubeletSetPodStatus, kubectlJson, listPods, sleep, startEnv, waitFor, type Env } from './index-b-harness.js';

const NS = 'jobs';
const job = (name: string, spec: string) => `
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: ${NS}}
spec:
${spec.split('\n').map(l => `  ${l}`).join('\n')}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox, command: [sh, -c, "true"]}]
`;

type Cond = { type: string; status: string; reason?: string; message?: string };
const getJob = (env: Env, name: string) => kubectlJson(env.ts, ['-n', NS, 'get', 'job', name]);
const cond = (j: KubeObject, type: string): Cond | undefined => (j.status?.conditions as Cond[] | undefined)?.find(c => c.type === type);
const podsOf = async (env: Env, name: string) => (await listPods(env.client, NS, `batch.kubernetes.io/job-name=${name}`));
const livePods = async (env: Env, name: string) => (await podsOf(env, name)).filter(p => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase));
const finish = (env: Env, p: KubeObject, phase: 'Succeeded' | 'Failed', extra: { exitCode?: number; conditions?: Cond[] } = {}) =>
  fakeKubeletSetPodStatus(env.client, NS, p.metadata!.name!, { phase, ...extra });
const until = (env: Env, name: string, what: string, ok: (j: KubeObject) => unknown, ms?: number) =>
  waitFor(`${name}: ${what}`, async () => { const j = await getJob(env, name); return ok(j) ? j : undefined; }, ms);

describe('Job controller', () => {
  let env: Env;
  before(async () => {
    env = await startEnv(ctx => [startJobController(ctx), startTtlAfterFinishedController(ctx)]);
    await k(env.ts, ['create', 'ns', NS]);
  });
  after(async () => { await env?.stop(); });

  it('runs completions with parallelism, tracks pods with a finalizer, and completes', async () => {
    await apply(env.ts, job('count', 'completions: 3\nparallelism: 2'));
    await waitFor('2 active pods', async () => (await livePods(env, 'count')).length === 2);
    await sleep(300);
    assert.equal((await podsOf(env, 'count')).length, 2, 'never more than parallelism');
    const p0 = (await livePods(env, 'count'))[0];
    assert.deepEqual(p0.metadata!.finalizers, ['batch.kubernetes.io/job-tracking']);
    assert.equal(p0.metadata!.ownerReferences![0].kind, 'Job');
    await until(env, 'count', 'active 2', j => j.status?.active === 2 && j.status.ready === 0);
    await finish(env, p0, 'Succeeded');
    await waitFor('a third pod', async () => (await podsOf(env, 'count')).length === 3);
    const j1 = await until(env, 'count', 'succeeded 1', j => j.status?.succeeded === 1);
    assert.equal(j1.status.active, 2);
    for (const p of await livePods(env, 'count')) await finish(env, p, 'Succeeded');
    await k(env.ts, ['-n', NS, 'wait', '--for=condition=complete', 'job/count', '--timeout=20s']);
    const done = await getJob(env, 'count');
    assert.equal(done.status.succeeded, 3);
    assert.equal(done.status.active, undefined);
    assert.ok(done.status.completionTime && done.status.startTime);
    assert.equal(cond(done, 'SuccessCriteriaMet')?.reason, 'CompletionsReached');
    assert.equal(cond(done, 'Complete')?.reason, 'CompletionsReached');
    for (const p of await podsOf(env, 'count')) assert.deepEqual(p.metadata!.finalizers ?? [], [], 'finalizers removed once counted');
    await waitFor('events', async () => {
      const ev = await k(env.ts, ['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=count']);
      return /SuccessfulCreate/.test(ev) && /Completed/.test(ev);
    });
  });

  it('backs off after a failure and fails at backoffLimit with BackoffLimitExceeded', async () => {
    await apply(env.ts, job('flaky', 'backoffLimit: 1'));
    const first = await waitFor('first pod', async () => (await livePods(env, 'flaky'))[0]);
    await finish(env, first, 'Failed', { exitCode: 3 });
    await until(env, 'flaky', 'failed 1', j => j.status?.failed === 1);
    await sleep(2000);
    assert.equal((await livePods(env, 'flaky')).length, 0, 'no replacement during the 10 s back-off');
    const second = await waitFor('replacement after back-off', async () => (await livePods(env, 'flaky'))[0], 20_000);
    await finish(env, second, 'Failed', { exitCode: 3 });
    const failed = await until(env, 'flaky', 'Failed', j => cond(j, 'Failed')?.status === 'True');
    assert.equal(failed.status.failed, 2);
    assert.equal(cond(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(cond(failed, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.equal(cond(failed, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    await waitFor('BackoffLimitExceeded event', async () =>
      /BackoffLimitExceeded/.test(await k(env.ts, ['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=flaky'])));
  });

  it('Indexed: one pod per completion index, with index annotation, label, hostname and env', async () => {
    await apply(env.ts, job('idx', 'completions: 3\nparallelism: 3\ncompletionMode: Indexed'));
    const pods = await waitFor('3 indexed pods', async () => { const ps = await livePods(env, 'idx'); return ps.length === 3 ? ps : undefined; });
    const byIndex = new Map(pods.map(p => [p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    const p1 = byIndex.get('1')!;
    assert.equal(p1.metadata!.labels!['batch.kubernetes.io/job-completion-index'], '1');
    assert.equal(p1.spec.hostname, 'idx-1');
    assert.match(p1.metadata!.name!, /^idx-1-/);
    assert.ok(p1.spec.containers[0].env.some((e: { name: string }) => e.name === 'JOB_COMPLETION_INDEX'));
    await finish(env, p1, 'Succeeded');
    await until(env, 'idx', 'completedIndexes 1', j => j.status?.completedIndexes === '1');
    await finish(env, byIndex.get('0')!, 'Succeeded');
    await finish(env, byIndex.get('2')!, 'Succeeded');
    const done = await until(env, 'idx', 'complete', j => cond(j, 'Complete')?.status === 'True');
    assert.equal(done.status.completedIndexes, '0-2');
    assert.equal(done.status.succeeded, 3);
  });

  it('fails a Job past activeDeadlineSeconds with DeadlineExceeded and stops its pods', async () => {
    await apply(env.ts, job('slow', 'activeDeadlineSeconds: 2\nparallelism: 2\ncompletions: 4'));
    await waitFor('2 pods', async () => (await livePods(env, 'slow')).length === 2);
    const failed = await until(env, 'slow', 'DeadlineExceeded', j => cond(j, 'Failed')?.reason === 'DeadlineExceeded', 10_000);
    assert.equal(cond(failed, 'Failed')?.message, 'Job was active longer than specified deadline');
    assert.equal(failed.status.active, undefined);
    assert.equal(failed.status.failed, 2, 'stopped pods count as failed');
    await waitFor('pods gone', async () => (await podsOf(env, 'slow')).length === 0);
  });

  it('podFailurePolicy: FailJob on an exit code; Ignore on DisruptionTarget does not count', async () => {
    const policy = `backoffLimit: 0
podFailurePolicy:
  rules:
  - action: FailJob
    onExitCodes: {operator: In, values: [42]}
  - action: Ignore
    onPodConditions: [{type: DisruptionTarget}]`;
    await apply(env.ts, job('pfp', policy));
    const p = await waitFor('pod', async () => (await livePods(env, 'pfp'))[0]);
    await finish(env, p, 'Failed', { exitCode: 1, conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }] });
    await until(env, 'pfp', 'ignored failure leaves failed at 0', j => j.status?.failed === undefined || j.status.failed === 0);
    await sleep(500);
    assert.equal(cond(await getJob(env, 'pfp'), 'Failed'), undefined, 'backoffLimit 0 not exceeded by an ignored failure');
    const p2 = await waitFor('replacement', async () => (await livePods(env, 'pfp'))[0], 20_000);
    await finish(env, p2, 'Failed', { exitCode: 42 });
    const j = await until(env, 'pfp', 'Failed by policy', x => cond(x, 'Failed')?.status === 'True');
    assert.equal(cond(j, 'Failed')?.reason, 'PodFailurePolicy');
    assert.match(cond(j, 'Failed')!.message!, /^Container work for pod jobs\/pfp-\w+ failed with exit code 42 matching FailJob rule at index 0$/);
  });

  it('suspend: no pods while suspended; resuming starts them', async () => {
    await apply(env.ts, job('sus', 'suspend: true\nparallelism: 2\ncompletions: 2'));
    await until(env, 'sus', 'Suspended', j => cond(j, 'Suspended')?.status === 'True' && cond(j, 'Suspended')?.reason === 'JobSuspended');
    assert.equal((await podsOf(env, 'sus')).length, 0);
    assert.equal((await getJob(env, 'sus')).status.startTime, undefined);
    await k(env.ts, ['-n', NS, 'patch', 'job', 'sus', '-p', '{"spec":{"suspend":false}}']);
    await waitFor('pods after resume', async () => (await livePods(env, 'sus')).length === 2);
    const j = await until(env, 'sus', 'resumed', x => cond(x, 'Suspended')?.status === 'False');
    assert.equal(cond(j, 'Suspended')?.reason, 'JobResumed');
    assert.ok(j.status.startTime);
  });

  it('ttlSecondsAfterFinished: the TTL controller deletes the finished Job', async () => {
    await apply(env.ts, job('ttl', 'ttlSecondsAfterFinished: 1'));
    const p = await waitFor('pod', async () => (await livePods(env, 'ttl'))[0]);
    await finish(env, p, 'Succeeded');
    await until(env, 'ttl', 'complete', j => cond(j, 'Complete')?.status === 'True');
    // Foreground deletion: gone, or marked with the garbage collector's finalizer pending.
    await waitFor('job deleted', async () => {
      const r = await env.ts.kubectl(['-n', NS, 'get', 'job', 'ttl', '-o', 'json'], { allowFail: true });
      if (r.code !== 0) return /NotFound/.test(r.stderr);
      const j = JSON.parse(r.stdout);
      return !!j.metadata.deletionTimestamp && j.metadata.finalizers?.includes('foregroundDeletion');
    }, 10_000);
  });
});
