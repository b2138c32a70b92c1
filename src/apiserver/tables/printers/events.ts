/**
 * Events: LAST SEEN TYPE REASON OBJECT (+SUBOBJECT SOURCE) MESSAGE (+FIRST SEEN COUNT NAME).
 * events.k8s.io/v1 objects are read through the same core shape, as upstream prints both
 * from one internal type.
 */
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsV1 } from 'kubernetes-types/events/v1.js';
import { col, nameCol } from '../columns.js';
import { parseTime, since } from '../duration.js';
import type { Printer } from '../types.js';

/** The events.k8s.io/v1 field names mapped onto core/v1's. */
export function coreEventOf(e: EventsV1): CoreEvent {
  return {
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    type: e.type,
    eventTime: e.eventTime,
    series: e.series ? { count: e.series.count, lastObservedTime: e.series.lastObservedTime } : undefined,
    action: e.action,
    related: e.related,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
  };
}

const nonEmpty = (...ss: Array<string | undefined>) => ss.find(s => s) ?? '';

function source(e: CoreEvent): string {
  const component = nonEmpty(e.source?.component, e.reportingComponent);
  const instance = nonEmpty(e.source?.host, e.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer<CoreEvent> = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'The field of the object the event is about, e.g. spec.containers{name}.', 1),
    col('Source', 'string', 'The component reporting this event.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    { ...nameCol(), priority: 1 },
  ],
  cells(e, { now }) {
    const first = parseTime(e.firstTimestamp) !== undefined ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = parseTime(e.lastTimestamp) !== undefined ? since(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the new API have no count
    }
    const inv = e.involvedObject ?? {};
    const kind = (inv.kind ?? '').toLowerCase();
    const target = inv.name ? `${kind}/${inv.name}` : kind;
    return [
      last, e.type ?? '', e.reason ?? '', target, inv.fieldPath ?? '', source(e), (e.message ?? '').trim(),
      first, count, e.metadata?.name ?? '',
    ];
  },
};

export const eventsV1Printer: Printer<EventsV1> = {
  columns: eventPrinter.columns,
  cells: (e, ctx) => eventPrinter.cells(coreEventOf(e), ctx),
};
