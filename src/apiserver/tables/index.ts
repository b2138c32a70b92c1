/** Server-side table printing (kubectl get). */
export { toTable } from './table.js';
export { humanDuration } from './duration.js';
export type {
  Table, TableColumnDefinition, TableRow, TableCell, TableRowCondition, TableMeta, TableOptions, IncludeObject,
} from './types.js';
