/**
 * Workload defaults: apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet), core
 * ReplicationController and PodTemplate, batch/v1 Job and CronJob — including the Job
 * strategy's generated selector, which needs the Job's uid.
 */
import { defaultPodTemplateSpec } from './pod.js';
import { type Obj, arr, isObj, obj, setIfUnset } from './util.js';

export type PVCSpecDefaulter = (spec: Obj) => void;

function template(spec: Obj, pvc: PVCSpecDefaulter): void {
  spec.template = obj(spec.template);
  defaultPodTemplateSpec(spec.template, pvc);
}

export function defaultDeployment(d: Obj, pvc: PVCSpecDefaulter): void {
  const s = (d.spec = obj(d.spec));
  setIfUnset(s, 'replicas', 1);
  const st = (s.strategy = obj(s.strategy));
  setIfUnset(st, 'type', 'RollingUpdate');
  if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate = obj(st.rollingUpdate));
    setIfUnset(ru, 'maxUnavailable', '25%');
    setIfUnset(ru, 'maxSurge', '25%');
  }
  setIfUnset(s, 'revisionHistoryLimit', 10);
  setIfUnset(s, 'progressDeadlineSeconds', 600);
  template(s, pvc);
}

export function defaultReplicaSet(rs: Obj, pvc: PVCSpecDefaulter): void {
  const s = (rs.spec = obj(rs.spec));
  setIfUnset(s, 'replicas', 1);
  template(s, pvc);
}

export function defaultDaemonSet(ds: Obj, pvc: PVCSpecDefaulter): void {
  const s = (ds.spec = obj(ds.spec));
  const st = (s.updateStrategy = obj(s.updateStrategy));
  setIfUnset(st, 'type', 'RollingUpdate');
  if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate = obj(st.rollingUpdate));
    setIfUnset(ru, 'maxUnavailable', 1);
    setIfUnset(ru, 'maxSurge', 0);
  }
  setIfUnset(s, 'revisionHistoryLimit', 10);
  template(s, pvc);
}

export function defaultStatefulSet(sts: Obj, pvc: PVCSpecDefaulter): void {
  const s = (sts.spec = obj(sts.spec));
  setIfUnset(s, 'podManagementPolicy', 'OrderedReady');
  const st = (s.updateStrategy = obj(s.updateStrategy));
  setIfUnset(st, 'type', 'RollingUpdate');
  if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate = obj(st.rollingUpdate));
    setIfUnset(ru, 'partition', 0);
  }
  const pol = (s.persistentVolumeClaimRetentionPolicy = obj(s.persistentVolumeClaimRetentionPolicy));
  setIfUnset(pol, 'whenDeleted', 'Retain');
  setIfUnset(pol, 'whenScaled', 'Retain');
  setIfUnset(s, 'replicas', 1);
  setIfUnset(s, 'revisionHistoryLimit', 10);
  template(s, pvc);
  for (const t of arr(s.volumeClaimTemplates)) {
    t.spec = obj(t.spec);
    pvc(t.spec);
    t.status = obj(t.status);
    setIfUnset(t.status, 'phase', 'Pending');
  }
}

export function defaultReplicationController(rc: Obj, pvc: PVCSpecDefaulter): void {
  const s = (rc.spec = obj(rc.spec));
  const labels = isObj(s.template) && isObj(s.template.metadata?.labels) ? s.template.metadata.labels : undefined;
  if (labels) {
    if (!isObj(s.selector) || Object.keys(s.selector).length === 0) s.selector = { ...labels };
    rc.metadata = obj(rc.metadata);
    if (!isObj(rc.metadata.labels) || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  setIfUnset(s, 'replicas', 1);
  if (isObj(s.template)) defaultPodTemplateSpec(s.template, pvc);
}

export function defaultPodTemplate(pt: Obj, pvc: PVCSpecDefaulter): void {
  pt.template = obj(pt.template);
  defaultPodTemplateSpec(pt.template, pvc);
}

const JOB_UID = 'batch.kubernetes.io/controller-uid';
const JOB_NAME = 'batch.kubernetes.io/job-name';

/** The Job strategy's generateSelector: label the template and select on the uid. */
function generateSelector(job: Obj, uid: string): void {
  const s = job.spec;
  const tpl = (s.template = obj(s.template));
  tpl.metadata = obj(tpl.metadata);
  const labels = (tpl.metadata.labels = obj(tpl.metadata.labels));
  const name = String(job.metadata?.name ?? '');
  // user-set labels win here; a conflict is rejected by validation
  for (const k of ['job-name', JOB_NAME]) if (!(k in labels)) labels[k] = name;
  for (const k of ['controller-uid', JOB_UID]) if (!(k in labels)) labels[k] = uid;
  s.selector = obj(s.selector);
  s.selector.matchLabels = obj(s.selector.matchLabels);
  if (!(JOB_UID in s.selector.matchLabels)) s.selector.matchLabels[JOB_UID] = uid;
}

function defaultJobSpec(s: Obj, pvc: PVCSpecDefaulter): void {
  if (s.completions == null && s.parallelism == null) { s.completions = 1; s.parallelism = 1; }
  setIfUnset(s, 'parallelism', 1);
  setIfUnset(s, 'backoffLimit', s.backoffLimitPerIndex != null ? 2147483647 : 6);
  setIfUnset(s, 'completionMode', 'NonIndexed');
  setIfUnset(s, 'suspend', false);
  setIfUnset(s, 'podReplacementPolicy', isObj(s.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  setIfUnset(s, 'manualSelector', false);
  defaultPodFailurePolicy(s);
  template(s, pvc);
}

function defaultPodFailurePolicy(s: Obj): void {
  if (!isObj(s.podFailurePolicy)) return;
  for (const r of arr(s.podFailurePolicy.rules)) for (const c of arr(r.onPodConditions)) setIfUnset(c, 'status', 'True');
}

/** `uid` is set when the Job is being created: that is when the selector is generated. */
export function defaultJob(job: Obj, pvc: PVCSpecDefaulter, uid: string | undefined): void {
  const s = (job.spec = obj(job.spec));
  if (uid && s.manualSelector !== true) generateSelector(job, uid);
  defaultJobSpec(s, pvc);
  // SetDefaults_Job copies template labels to an unlabelled Job (incl. the generated ones)
  const labels = s.template?.metadata?.labels;
  job.metadata = obj(job.metadata);
  if (isObj(labels) && (!isObj(job.metadata.labels) || Object.keys(job.metadata.labels).length === 0)) {
    job.metadata.labels = { ...labels };
  }
}

export function defaultCronJob(cj: Obj, pvc: PVCSpecDefaulter): void {
  const s = (cj.spec = obj(cj.spec));
  setIfUnset(s, 'concurrencyPolicy', 'Allow');
  setIfUnset(s, 'suspend', false);
  setIfUnset(s, 'successfulJobsHistoryLimit', 3);
  setIfUnset(s, 'failedJobsHistoryLimit', 1);
  // SetDefaults_Job does not run on a job template; only its pod template is defaulted
  const jt = (s.jobTemplate = obj(s.jobTemplate));
  jt.spec = obj(jt.spec);
  defaultPodFailurePolicy(jt.spec);
  template(jt.spec, pvc);
}
