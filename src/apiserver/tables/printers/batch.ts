/** Jobs (STATUS COMPLETIONS DURATION AGE) and CronJobs (SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE). */
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import { formatLabelSelector } from '../../../api/selectors/index.js';
import { ageCol, col, containerCells, containerCols, nameCol } from '../columns.js';
import { humanDuration, parseTime, since } from '../duration.js';
import type { Printer } from '../types.js';

/** hasJobCondition: the first condition of that type decides. */
function hasCondition(conds: readonly JobCondition[] | undefined, type: string): boolean {
  const c = (conds ?? []).find(x => x.type === type);
  return c?.status === 'True';
}

function jobStatus(job: Job): string {
  const conds = job.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

const jobSelectorCol = () => col('Selector', 'string', 'A label query over pods that should match the pod count.', 1);

export const jobPrinter: Printer<Job> = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol(), ...containerCols(), jobSelectorCol(),
  ],
  cells(job, { now }) {
    return [
      job.metadata?.name ?? '', jobStatus(job), completions(job), jobDuration(job, now),
      since(job.metadata?.creationTimestamp, now), ...containerCells(job.spec?.template?.spec?.containers),
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

/** printBoolPtr */
const boolPtr = (v: boolean | undefined) => (v === undefined ? '<unset>' : v ? 'True' : 'False');

export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    nameCol(),
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'Whether subsequent executions are suspended.'),
    col('Active', 'integer', 'Pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'The last time the job was successfully scheduled.'),
    ageCol(), ...containerCols(), jobSelectorCol(),
  ],
  cells(cj, { now }) {
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
    const tmpl = cj.spec?.jobTemplate?.spec;
    return [
      cj.metadata?.name ?? '', cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', boolPtr(cj.spec?.suspend),
      cj.status?.active?.length ?? 0, last, since(cj.metadata?.creationTimestamp, now),
      ...containerCells(tmpl?.template?.spec?.containers), formatLabelSelector(tmpl?.selector),
    ];
  },
};
