/**
 * CronJob controller e2e with a fake clock: the controller's "now" and its requeue
 * timers run on a FakeClock the test advances; Job outcomes are written by the test
 * (no Job controller runs here), as the Job controller would write them.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { FakeClock } from '../../src/client/index.js';
import type { Component } from '../../src/cli/components.js';
import { startCronJobController } from '../../src/controllers/cronjob.js';
import { k } from '../e2e/harness.js';
import { apply, kubectlJson, sleep, startEnv, waitFor, type Env } from './index-b-harness.js';

const NS = 'cron';
const JOB = { apiVersion: 'batch/v1', kind: 'Job' };
const FIVE_MIN = 5 * 60_000;

const cronJob = (name: string, extra = '', schedule = '*/5 * * * *') => `
apiVersion: batch/v1
kind: CronJob
metadata: {name: ${name}, namespace: ${NS}}
spec:
  schedule: "${schedule}"
${extra.split('\n').map(l => `  ${l}`).join('\n')}
  jobTemplate:
    metadata: {labels: {from: ${name}}}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
`;

describe('CronJob controller (fake clock)', () => {
  let env: Env;
  // Each test runs its own controller on a fresh fake clock that starts at real time,
  // so no schedule time lies between a CronJob's creation and the clock's "now".
  let clock: FakeClock;
  let controller: Component | undefined;
  const advanceTo = (ms: number) => clock.advance(Math.max(0, ms - clock.now()));
  /** The first multiple of `step` after `ms`. */
  const boundaryAfter = (ms: number, step = FIVE_MIN) => (Math.floor(ms / step) + 1) * step;
  const jobsOf = async (cj: string) => (await env.client.list(JOB, { namespace: NS, labelSelector: `from=${cj}` })).items
    .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  const getCj = (name: string) => kubectlJson(env.ts, ['-n', NS, 'get', 'cronjob', name]);
  /** Creates the CronJob and lets the controller see it; returns the next 5-minute boundary after its creation. */
  const create = async (name: string, extra = '', schedule?: string) => {
    await apply(env.ts, cronJob(name, extra, schedule));
    const cj = await getCj(name);
    await sleep(300);
    return boundaryAfter(Math.max(Date.parse(cj.metadata!.creationTimestamp!), clock.now()));
  };
  /** What the Job controller reports when a Job finishes. */
  const finishJob = async (job: KubeObject, type: 'Complete' | 'Failed', at: number) => {
    const t = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
    const c = (ty: string) => ({ type: ty, status: 'True', reason: type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded', message: 'fake', lastProbeTime: t, lastTransitionTime: t });
    const status = type === 'Complete'
      ? { startTime: t, completionTime: t, succeeded: 1, conditions: [c('SuccessCriteriaMet'), c('Complete')] }
      : { startTime: t, failed: 1, conditions: [c('FailureTarget'), c('Failed')] };
    await env.client.patch(JOB, job.metadata!.name!, { status }, { namespace: NS, subresource: 'status' });
  };

  before(async () => {
    env = await startEnv(() => []);
    await k(env.ts, ['create', 'ns', NS]);
  });
  beforeEach(() => {
    clock = new FakeClock(Date.now());
    controller = startCronJobController(env.ctx, { clock });
  });
  afterEach(async () => { await controller?.stop(); });
  after(async () => { await env?.stop(); });

  it('creates a Job named <cronjob>-<minutes> at each schedule time (Allow lets them overlap)', async () => {
    const r = await env.ts.kubectl(['-n', NS, 'create', 'cronjob', 'hello', '--image=busybox', '--schedule=*/5 * * * *']);
    assert.equal(r.code, 0, r.stderr);
    const created = Date.parse((await getCj('hello')).metadata!.creationTimestamp!);
    await sleep(300);
    const t1 = boundaryAfter(Math.max(created, clock.now()));
    const owned = async () => (await env.client.list(JOB, { namespace: NS })).items.filter(j => j.metadata!.ownerReferences?.[0]?.name === 'hello');
    await sleep(200);
    assert.equal((await owned()).length, 0, 'nothing before the schedule time');
    advanceTo(t1 + 1000);
    const [job] = await waitFor('first job', async () => { const js = await owned(); return js.length === 1 ? js : undefined; });
    assert.equal(job.metadata!.name, `hello-${t1 / 60_000}`);
    assert.equal(job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(t1).toISOString().replace(/\.\d+Z$/, 'Z'));
    assert.equal(job.metadata!.ownerReferences![0].kind, 'CronJob');
    assert.equal(job.metadata!.ownerReferences![0].controller, true);
    const cj = await waitFor('status', async () => { const c = await getCj('hello'); return c.status?.active?.length === 1 ? c : undefined; });
    assert.equal(cj.status.lastScheduleTime, new Date(t1).toISOString().replace(/\.\d+Z$/, 'Z'));
    assert.equal(cj.status.active[0].name, job.metadata!.name);
    advanceTo(t1 + FIVE_MIN + 1000);
    await waitFor('second job while the first still runs', async () => (await owned()).length === 2);
    await waitFor('two active', async () => (await getCj('hello')).status?.active?.length === 2);
    assert.match(await k(env.ts, ['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=hello']), /SuccessfulCreate/);
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'hello', '-p', '{"spec":{"suspend":true}}']);
  });

  it('Forbid skips a run while one is active, and runs the missed one when it finishes', async () => {
    const t1 = await create('forbid', 'concurrencyPolicy: Forbid');
    advanceTo(t1 + 1000);
    const [j1] = await waitFor('first', async () => { const js = await jobsOf('forbid'); return js.length === 1 ? js : undefined; });
    advanceTo(t1 + FIVE_MIN + 1000);
    await waitFor('JobAlreadyActive', async () =>
      /JobAlreadyActive/.test(await k(env.ts, ['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=forbid'])));
    assert.equal((await jobsOf('forbid')).length, 1);
    await finishJob(j1, 'Complete', clock.now());
    const cj = await waitFor('completed job leaves active; the missed run starts', async () => {
      const c = await getCj('forbid');
      return c.status?.lastSuccessfulTime && c.status.active?.length === 1 && c.status.active[0].name !== j1.metadata!.name ? c : undefined;
    });
    assert.equal(cj.status.active[0].name, `forbid-${(t1 + FIVE_MIN) / 60_000}`);
    assert.match(await k(env.ts, ['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=forbid']), /SawCompletedJob/);
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'forbid', '-p', '{"spec":{"suspend":true}}']);
  });

  it('Replace deletes the running Job and starts the new one', async () => {
    const t1 = await create('replace', 'concurrencyPolicy: Replace');
    advanceTo(t1 + 1000);
    const [a] = await waitFor('first', async () => { const js = await jobsOf('replace'); return js.length === 1 ? js : undefined; });
    advanceTo(t1 + FIVE_MIN + 1000);
    const [b] = await waitFor('replaced', async () => {
      const js = await jobsOf('replace');
      return js.length === 1 && js[0].metadata!.uid !== a.metadata!.uid ? js : undefined;
    });
    assert.equal(b.metadata!.name, `replace-${(t1 + FIVE_MIN) / 60_000}`);
    await waitFor('active is the new job', async () => {
      const c = await getCj('replace');
      return c.status?.active?.length === 1 && c.status.active[0].uid === b.metadata!.uid;
    });
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'replace', '-p', '{"spec":{"suspend":true}}']);
  });

  it('keeps successfulJobsHistoryLimit finished Jobs', async () => {
    const t1 = await create('hist', 'successfulJobsHistoryLimit: 1\nfailedJobsHistoryLimit: 1');
    advanceTo(t1 + 1000);
    const [j1] = await waitFor('first', async () => { const js = await jobsOf('hist'); return js.length === 1 ? js : undefined; });
    await finishJob(j1, 'Complete', t1 + 2000);
    advanceTo(t1 + FIVE_MIN + 1000);
    const j2 = await waitFor('second', async () => (await jobsOf('hist')).find(j => j.metadata!.uid !== j1.metadata!.uid));
    await finishJob(j2, 'Complete', t1 + FIVE_MIN + 2000);
    await waitFor('oldest finished job deleted', async () => {
      const js = await jobsOf('hist');
      return js.length === 1 && js[0].metadata!.uid === j2.metadata!.uid;
    });
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'hist', '-p', '{"spec":{"suspend":true}}']);
  });

  it('startingDeadlineSeconds: a run missed by more than the deadline is skipped', async () => {
    const t1 = await create('deadline', 'startingDeadlineSeconds: 30');
    advanceTo(t1 + 2 * 60_000); // two minutes late
    await sleep(500);
    assert.equal((await jobsOf('deadline')).length, 0);
    advanceTo(t1 + FIVE_MIN + 10_000); // ten seconds late: within the deadline
    await waitFor('on-time run', async () => (await jobsOf('deadline')).length === 1);
    assert.equal((await jobsOf('deadline'))[0].metadata!.name, `deadline-${(t1 + FIVE_MIN) / 60_000}`);
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'deadline', '-p', '{"spec":{"suspend":true}}']);
  });

  it('suspend holds runs back; resuming starts the missed one', async () => {
    const t1 = await create('paused', 'suspend: true');
    advanceTo(t1 + 1000);
    await sleep(500);
    assert.equal((await jobsOf('paused')).length, 0);
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'paused', '-p', '{"spec":{"suspend":false}}']);
    await waitFor('run after resume', async () => (await jobsOf('paused')).length === 1);
    await k(env.ts, ['-n', NS, 'patch', 'cronjob', 'paused', '-p', '{"spec":{"suspend":true}}']);
  });

  it('timeZone: the schedule is read in that zone', async () => {
    await apply(env.ts, cronJob('tokyo', 'timeZone: Asia/Tokyo', '0 9 * * *'));
    const created = Date.parse((await getCj('tokyo')).metadata!.creationTimestamp!);
    await sleep(300);
    const midnightUtc = boundaryAfter(Math.max(created, clock.now()), 86_400_000); // 09:00 in Tokyo
    advanceTo(midnightUtc - 60_000);
    await sleep(300);
    assert.equal((await jobsOf('tokyo')).length, 0);
    advanceTo(midnightUtc + 1000);
    const [job] = await waitFor('09:00 JST run', async () => { const js = await jobsOf('tokyo'); return js.length === 1 ? js : undefined; });
    assert.equal(job.metadata!.name, `tokyo-${midnightUtc / 60_000}`);
    assert.match(job.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], /T09:00:00\+09:00$/);
  });
});
