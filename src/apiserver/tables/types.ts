/** meta.k8s.io/v1 Table shapes and the printer contract every resource's columns follow. */

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0 = always shown; > 0 only with `kubectl get -o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean | null;

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata, the full object, or null (includeObject=None). */
  object: unknown;
}

export interface TableMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: TableMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Clock for AGE and other durations; defaults to the current time. */
  now?: Date;
  /** Omit column definitions (later events of a watch). */
  noHeaders?: boolean;
}

/** What a printer sees besides the object. */
export interface PrintContext {
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/**
 * One resource's columns and how to fill them, like a printers.go TableHandler. Cells
 * always include the wide (priority > 0) columns, as kube-apiserver generates them.
 */
export interface Printer<T> {
  readonly columns: readonly TableColumnDefinition[];
  cells(obj: T, ctx: PrintContext): TableCell[];
  conditions?(obj: T): TableRowCondition[] | undefined;
}
