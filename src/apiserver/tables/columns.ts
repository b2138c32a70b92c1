/** Column definition builders and the small formatters several printers share. */
import type { Container } from 'kubernetes-types/core/v1.js';
import type { TableColumnDefinition } from './types.js';

export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME_DESC = 'Name must be unique within a namespace.';
const AGE_DESC = 'CreationTimestamp is a timestamp representing the server time when this object was created.';

export const nameCol = (): TableColumnDefinition => col('Name', 'string', NAME_DESC, 0, 'name');
export const ageCol = (): TableColumnDefinition => col('Age', 'string', AGE_DESC);
/** The wide Containers / Images columns of workload printers. */
export const containerCols = (): TableColumnDefinition[] => [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
];

/** layoutContainerCells: container names and images, comma separated. */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map(c => c.name).join(','), cs.map(c => c.image ?? '').join(',')];
}

/** IntOrString.String() */
export const intOrString = (v: number | string): string => String(v);

/** net.JoinHostPort: brackets IPv6 hosts. */
export const joinHostPort = (host: string, port: number | string): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** "a,b,c + 2 more..." past `max` entries (listWithMoreString), `<unset>` when empty. */
export function listWithMore(list: readonly string[], count: number, max: number): string {
  const ret = list.join(',');
  if (count > max) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}
