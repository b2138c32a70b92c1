/**
 * Jobs and CronJobs (pkg/apis/batch/validation, v1.32 behaviour with default feature gates).
 */
import { nameIsDNSSubdomain } from './names.js';
import {
  selectorConvertible, selectorMatches, validateAnnotations, validateLabels, validateLabelSelector, validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { validatePodTemplateSpec } from './podspec.js';
import { cronScheduleError, validTimeZone } from './cron.js';
import {
  type Errs, type Obj, arr, badValue, clone, deepEqual, immutable, isObj, labelSelectorRepr, nonNegative, notSupported,
  required, str, strMap,
} from './util.js';

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
};
const MAX_INDEXED = 100000;

function hasLabel(labels: Record<string, string>, key: string, want: string): Errs {
  const p = `spec.template.metadata.labels[${key}]`;
  if (!(key in labels)) return [required(p, `must be '${want}'`)];
  return labels[key] === want ? [] : [badValue(p, labels, `must be '${want}'`)];
}

/** With a generated selector, the pod template must carry the job's uid and name labels. */
function validateGeneratedSelector(job: Obj): Errs {
  const spec = isObj(job.spec) ? job.spec : {};
  if (spec.manualSelector === true || !isObj(spec.selector)) return [];
  const uid = str(job.metadata?.uid), name = str(job.metadata?.name);
  const errs: Errs = uid ? [] : [required('metadata.uid')];
  const labels = strMap(spec.template?.metadata?.labels);
  errs.push(...hasLabel(labels, JOB_LABELS.legacyControllerUid, uid), ...hasLabel(labels, JOB_LABELS.legacyJobName, name));
  errs.push(...hasLabel(labels, JOB_LABELS.controllerUid, uid), ...hasLabel(labels, JOB_LABELS.jobName, name));
  const expected = {
    [JOB_LABELS.legacyControllerUid]: uid, [JOB_LABELS.legacyJobName]: name,
    [JOB_LABELS.controllerUid]: uid, [JOB_LABELS.jobName]: name,
  };
  if (selectorConvertible(spec.selector) && !selectorMatches(spec.selector, expected)) {
    errs.push(badValue('spec.selector', labelSelectorRepr(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

function validatePodFailurePolicy(spec: Obj, path: string): Errs {
  const pfp = spec.podFailurePolicy;
  if (!isObj(pfp)) return [];
  const errs: Errs = [];
  if (spec.template?.spec?.restartPolicy !== 'Never') {
    errs.push(badValue(`${path}.template.spec.restartPolicy`, str(spec.template?.spec?.restartPolicy), 'only "Never" is supported when podFailurePolicy is specified'));
  }
  arr(pfp.rules).forEach((r, i) => {
    const p = `${path}.podFailurePolicy.rules[${i}]`;
    const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
    if (!actions.includes(str(r.action))) errs.push(notSupported(`${p}.action`, str(r.action), actions));
    const n = (isObj(r.onExitCodes) ? 1 : 0) + (arr(r.onPodConditions).length ? 1 : 0);
    if (n !== 1) errs.push(badValue(p, '', 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (isObj(r.onExitCodes)) {
      const ops = ['In', 'NotIn'];
      if (!ops.includes(str(r.onExitCodes.operator))) errs.push(notSupported(`${p}.onExitCodes.operator`, str(r.onExitCodes.operator), ops));
      if (!arr(r.onExitCodes.values).length) errs.push(required(`${p}.onExitCodes.values`, 'at least one value is required'));
    }
  });
  return errs;
}

/** validateJobSpec: the part shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(spec: Obj, path: string): Errs {
  const errs: Errs = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    errs.push(...nonNegative(spec[f], `${path}.${f}`));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(notSupported(`${path}.completionMode`, str(mode), ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed') {
    if (typeof spec.completions !== 'number') errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
    else if (spec.completions > MAX_INDEXED) errs.push(badValue(`${path}.completions`, spec.completions, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
    if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED) {
      errs.push(badValue(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
    }
  }
  if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null) {
    errs.push(...nonNegative(spec.backoffLimitPerIndex, `${path}.backoffLimitPerIndex`));
    if (mode !== 'Indexed') errs.push(badValue(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
  }
  const prp = spec.podReplacementPolicy;
  if (prp !== undefined && prp !== null) {
    if (!['Failed', 'TerminatingOrFailed'].includes(str(prp))) errs.push(notSupported(`${path}.podReplacementPolicy`, str(prp), ['Failed', 'TerminatingOrFailed']));
    else if (isObj(spec.podFailurePolicy) && prp !== 'Failed') {
      errs.push(notSupported(`${path}.podReplacementPolicy`, str(prp), ['Failed']));
    }
  }
  errs.push(...validatePodFailurePolicy(spec, path));
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const rp = str(spec.template?.spec?.restartPolicy);
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  return errs;
}

function validateJobSpec(spec: Obj): Errs {
  const errs = validateJobSpecCommon(spec, 'spec');
  if (!isObj(spec.selector)) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (isObj(spec.selector) && selectorConvertible(spec.selector)) {
    const labels = strMap(spec.template?.metadata?.labels);
    if (!selectorMatches(spec.selector, labels)) errs.push(badValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  return errs;
}

export function validateJob(job: Obj): Errs {
  return [
    ...validateObjectMeta(job.metadata, true, nameIsDNSSubdomain),
    ...validateGeneratedSelector(job),
    ...validateJobSpec(isObj(job.spec) ? job.spec : {}),
  ];
}

export function validateJobUpdate(n: Obj, o: Obj): Errs {
  const ns: Obj = isObj(n.spec) ? n.spec : {}, os: Obj = isObj(o.spec) ? o.spec : {};
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateGeneratedSelector(n), ...validateJobSpec(ns)];
  const indexed = os.completionMode === 'Indexed';
  if (!indexed) errs.push(...immutable(ns.completions, os.completions, 'spec.completions'));
  else if (!deepEqual(ns.completions, os.completions) && ns.completions !== ns.parallelism) {
    errs.push(badValue('spec.completions', ns.completions ?? null, 'can only be modified in tandem with spec.parallelism'));
  }
  if (!deepEqual(ns.selector, os.selector)) errs.push(badValue('spec.selector', labelSelectorRepr(ns.selector), 'field is immutable'));
  // a suspended Job that never started may change its scheduling directives and template metadata
  const oldTpl: Obj = clone(isObj(os.template) ? os.template : {});
  const newTpl: Obj = isObj(ns.template) ? ns.template : {};
  if (os.suspend === true && !o.status?.startTime) {
    oldTpl.spec = { ...(oldTpl.spec ?? {}) };
    const na = newTpl.spec?.affinity, oa = oldTpl.spec.affinity;
    if (!isObj(na) && isObj(oa)) {
      const rest = { ...oa, nodeAffinity: undefined };
      oldTpl.spec.affinity = deepEqual(rest, {}) ? undefined : rest;
    } else if (isObj(na)) {
      oldTpl.spec.affinity = { ...(isObj(oa) ? oa : {}), nodeAffinity: na.nodeAffinity };
    }
    oldTpl.spec.nodeSelector = newTpl.spec?.nodeSelector;
    oldTpl.spec.tolerations = newTpl.spec?.tolerations;
    oldTpl.spec.schedulingGates = newTpl.spec?.schedulingGates;
    oldTpl.metadata = { ...(oldTpl.metadata ?? {}), annotations: newTpl.metadata?.annotations, labels: newTpl.metadata?.labels };
  }
  errs.push(...immutable(newTpl, oldTpl, 'spec.template'));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy', 'podReplacementPolicy']) {
    errs.push(...immutable(ns[f], os[f], `spec.${f}`));
  }
  return errs;
}

export function validateJobStatusUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) errs.push(...nonNegative(n.status?.[f], `status.${f}`));
  return errs;
}

function validateJobTemplateSpec(t: unknown, path: string): Errs {
  const tpl = isObj(t) ? t : {};
  const spec = isObj(tpl.spec) ? tpl.spec : {};
  const errs = validateJobSpecCommon(spec, `${path}.spec`);
  if (spec.selector !== undefined && spec.selector !== null) {
    errs.push(badValue(`${path}.spec.selector`, labelSelectorRepr(spec.selector), '`selector` will be auto-generated'));
  }
  if (spec.manualSelector === true) errs.push(notSupported(`${path}.spec.manualSelector`, true, ['nil', 'false']));
  errs.push(...validateLabels(tpl.metadata?.labels, `${path}.metadata.labels`));
  errs.push(...validateAnnotations(tpl.metadata?.annotations, `${path}.metadata.annotations`));
  return errs;
}

function validateCronJobSpec(spec: Obj, old: Obj | undefined): Errs {
  const errs: Errs = [];
  const sched = str(spec.schedule);
  if (!sched) errs.push(required('spec.schedule'));
  else {
    const e = cronScheduleError(sched);
    if (e) errs.push(badValue('spec.schedule', sched, e));
    const allowTZ = !!old && str(old.schedule).includes('TZ');
    if (allowTZ && sched.includes('TZ') && spec.timeZone !== undefined && spec.timeZone !== null) {
      errs.push(badValue('spec.schedule', sched, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && sched.includes('TZ')) {
      errs.push(badValue('spec.schedule', sched, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const tz = spec.timeZone;
  if (tz !== undefined && tz !== null && (!old || old.timeZone !== tz)) {
    if (str(tz) === '') errs.push(badValue('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    else if (str(tz).toLowerCase() === 'local') errs.push(badValue('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
    else if (!validTimeZone(str(tz))) errs.push(badValue('spec.timeZone', tz, `unknown time zone ${str(tz)}`));
  }
  const cp = str(spec.concurrencyPolicy);
  if (!cp) errs.push(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateJobTemplateSpec(spec.jobTemplate, 'spec.jobTemplate'));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

export function validateCronJob(cj: Obj): Errs {
  const errs = [...validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain), ...validateCronJobSpec(isObj(cj.spec) ? cj.spec : {}, undefined)];
  const name = str(cj.metadata?.name);
  // the controller appends "-<11 chars>" to name its Jobs, which must stay within 63
  if (name.length > 52) errs.push(badValue('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export function validateCronJobUpdate(n: Obj, o: Obj): Errs {
  return [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateCronJobSpec(isObj(n.spec) ? n.spec : {}, isObj(o.spec) ? o.spec : {})];
}
