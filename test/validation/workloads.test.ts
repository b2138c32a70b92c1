import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createErrors, createTable, message, mut, workload, podTemplate } from './helpers.js';

const deploy = workload('Deployment');
const rs = workload('ReplicaSet');
const ds = workload('DaemonSet');
const sts = mut(workload('StatefulSet'), o => { o.spec.serviceName = 'w1'; });
const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc1', namespace: 'default' }, spec: { template: podTemplate() } };
const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j1', namespace: 'default' }, spec: { template: mut(podTemplate(), t => { t.spec.restartPolicy = 'Never'; }) } };
const cron = {
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c1', namespace: 'default' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: mut(podTemplate(), t => { t.spec.restartPolicy = 'OnFailure'; }) } } },
};

createTable('deployment', [
  { name: 'valid', obj: deploy, wantFields: [] },
  { name: 'selector required', obj: mut(deploy, o => { delete o.spec.selector; }), wantFields: ['spec.selector'] },
  { name: 'empty selector', obj: mut(deploy, o => { o.spec.selector = {}; }), wantFields: ['spec.selector'] },
  { name: 'selector must match template', obj: mut(deploy, o => { o.spec.selector.matchLabels = { app: 'y' }; }), wantFields: ['spec.template.metadata.labels'] },
  { name: 'matchExpressions honoured', obj: mut(deploy, o => { o.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'z'] }] }; }), wantFields: [] },
  { name: 'bad selector operator', obj: mut(deploy, o => { o.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] }; }), wantFields: ['spec.selector', 'spec.selector.matchExpressions[0].operator'] },
  { name: 'negative replicas', obj: mut(deploy, o => { o.spec.replicas = -1; }), wantFields: ['spec.replicas'] },
  { name: 'template restartPolicy Always only', obj: mut(deploy, o => { o.spec.template.spec.restartPolicy = 'OnFailure'; }), wantFields: ['spec.template.spec.restartPolicy'] },
  { name: 'maxSurge and maxUnavailable both 0', obj: mut(deploy, o => { o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }; }), wantFields: ['spec.strategy.rollingUpdate.maxUnavailable'] },
  { name: 'maxUnavailable over 100%', obj: mut(deploy, o => { o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%' } }; }), wantFields: ['spec.strategy.rollingUpdate.maxUnavailable'] },
  { name: 'bad percent', obj: mut(deploy, o => { o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } }; }), wantFields: ['spec.strategy.rollingUpdate.maxSurge'] },
  { name: 'Recreate with rollingUpdate', obj: mut(deploy, o => { o.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }; }), wantFields: ['spec.strategy.rollingUpdate'] },
  { name: 'unknown strategy', obj: mut(deploy, o => { o.spec.strategy = { type: 'BlueGreen' }; }), wantFields: ['spec.strategy'] },
  { name: 'progressDeadline above minReady', obj: mut(deploy, o => { o.spec.minReadySeconds = 700; }), wantFields: ['spec.progressDeadlineSeconds'] },
  { name: 'template pod spec validated', obj: mut(deploy, o => { o.spec.template.spec.containers[0].image = ''; }), wantFields: ['spec.template.spec.containers[0].image'] },
  { name: 'activeDeadlineSeconds forbidden', obj: mut(deploy, o => { o.spec.template.spec.activeDeadlineSeconds = 10; }), wantFields: ['spec.template.spec.activeDeadlineSeconds'] },
]);

createTable('replicaset / rc / daemonset / statefulset', [
  { name: 'replicaset valid', obj: rs, wantFields: [] },
  { name: 'replicaset mismatch', obj: mut(rs, o => { o.spec.template.metadata.labels = { app: 'z' }; }), wantFields: ['spec.template.metadata.labels'] },
  { name: 'rc selector defaults from template', obj: rc, wantFields: [] },
  { name: 'rc selector mismatch', obj: mut(rc, o => { o.spec.selector = { app: 'other' }; }), wantFields: ['spec.template.metadata.labels'] },
  { name: 'rc template required', obj: mut(rc, o => { delete o.spec.template; }), wantFields: ['spec.selector', 'spec.template'] },
  { name: 'daemonset valid', obj: ds, wantFields: [] },
  { name: 'daemonset without selector', obj: mut(ds, o => { delete o.spec.selector; }), wantFields: ['spec.template.metadata.labels'] },
  { name: 'daemonset surge and unavailable', obj: mut(ds, o => { o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } }; }), wantFields: ['spec.updateStrategy.rollingUpdate.maxSurge'] },
  { name: 'daemonset both zero', obj: mut(ds, o => { o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }; }), wantFields: ['spec.updateStrategy.rollingUpdate.maxUnavailable'] },
  { name: 'statefulset valid', obj: sts, wantFields: [] },
  { name: 'statefulset names are DNS labels', obj: mut(sts, o => { o.metadata.name = 'a.b'; }), wantFields: ['metadata.name'] },
  { name: 'statefulset podManagementPolicy', obj: mut(sts, o => { o.spec.podManagementPolicy = 'Random'; }), wantFields: ['spec.podManagementPolicy'] },
  { name: 'statefulset restartPolicy', obj: mut(sts, o => { o.spec.template.spec.restartPolicy = 'Never'; }), wantFields: ['spec.template.spec.restartPolicy'] },
  { name: 'statefulset retention policy', obj: mut(sts, o => { o.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' }; }), wantFields: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted'] },
  { name: 'statefulset negative partition', obj: mut(sts, o => { o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }; }), wantFields: ['spec.updateStrategy.rollingUpdate.partition'] },
]);

createTable('job / cronjob', [
  { name: 'job valid (selector generated)', obj: job, wantFields: [] },
  { name: 'job restartPolicy Always', obj: mut(job, o => { o.spec.template.spec.restartPolicy = 'Always'; }), wantFields: ['spec.template.spec.restartPolicy'] },
  { name: 'job default restartPolicy is Always', obj: mut(job, o => { delete o.spec.template.spec.restartPolicy; }), wantFields: ['spec.template.spec.restartPolicy'] },
  { name: 'job negative backoffLimit', obj: mut(job, o => { o.spec.backoffLimit = -1; }), wantFields: ['spec.backoffLimit'] },
  { name: 'job manual selector must match', obj: mut(job, o => { o.spec.manualSelector = true; o.spec.selector = { matchLabels: { app: 'y' } }; }), wantFields: ['spec.template.metadata.labels'] },
  { name: 'job manual selector ok', obj: mut(job, o => { o.spec.manualSelector = true; o.spec.selector = { matchLabels: { app: 'x' } }; }), wantFields: [] },
  { name: 'job manual selector required', obj: mut(job, o => { o.spec.manualSelector = true; }), wantFields: ['spec.selector'] },
  { name: 'indexed job needs completions', obj: mut(job, o => { o.spec.completionMode = 'Indexed'; o.spec.parallelism = 2; }), wantFields: ['spec.completions'] },
  { name: 'bad completionMode', obj: mut(job, o => { o.spec.completionMode = 'Sorted'; }), wantFields: ['spec.completionMode'] },
  { name: 'podFailurePolicy needs Never', obj: mut(job, o => { o.spec.template.spec.restartPolicy = 'OnFailure'; o.spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] }; }), wantFields: ['spec.template.spec.restartPolicy'] },
  { name: 'cronjob valid', obj: cron, wantFields: [] },
  { name: 'cronjob descriptors', obj: mut(cron, o => { o.spec.schedule = '@hourly'; }), wantFields: [] },
  { name: 'cronjob bad schedule', obj: mut(cron, o => { o.spec.schedule = '61 * * * *'; }), wantFields: ['spec.schedule'] },
  { name: 'cronjob too few fields', obj: mut(cron, o => { o.spec.schedule = '* *'; }), wantFields: ['spec.schedule'] },
  { name: 'cronjob TZ in schedule', obj: mut(cron, o => { o.spec.schedule = 'CRON_TZ=UTC 0 * * * *'; }), wantFields: ['spec.schedule'] },
  { name: 'cronjob time zone', obj: mut(cron, o => { o.spec.timeZone = 'Mars/Olympus'; }), wantFields: ['spec.timeZone'] },
  { name: 'cronjob known time zone', obj: mut(cron, o => { o.spec.timeZone = 'Europe/Paris'; }), wantFields: [] },
  { name: 'cronjob selector auto-generated', obj: mut(cron, o => { o.spec.jobTemplate.spec.selector = { matchLabels: { app: 'x' } }; }), wantFields: ['spec.jobTemplate.spec.selector'] },
  { name: 'cronjob name at most 52', obj: mut(cron, o => { o.metadata.name = 'c'.repeat(53); }), wantFields: ['metadata.name'] },
  { name: 'cronjob concurrencyPolicy', obj: mut(cron, o => { o.spec.concurrencyPolicy = 'Sometimes'; }), wantFields: ['spec.concurrencyPolicy'] },
  { name: 'cronjob job restartPolicy', obj: mut(cron, o => { o.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always'; }), wantFields: ['spec.jobTemplate.spec.template.spec.restartPolicy'] },
]);

test('workloads: selector/template mismatch message', () => {
  const errs = createErrors(mut(deploy, o => { o.spec.selector.matchLabels = { app: 'y' }; }));
  assert.equal(message(errs, 'spec.template.metadata.labels'),
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`');
  const cronErr = createErrors(mut(cron, o => { o.spec.schedule = '61 * * * *'; }));
  assert.equal(message(cronErr, 'spec.schedule'), 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
});
