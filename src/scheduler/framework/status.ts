/**
 * Outcomes of a plugin as values (upstream's framework.Status): plugins never throw to
 * say "does not fit". Error is kept for real faults (a bug, missing state).
 */
export const enum Code {
  Success = 0,
  Error = 1,
  /** Might fit after preemption or a cluster change. */
  Unschedulable = 2,
  /** Preemption cannot help on this node (e.g. a label mismatch). */
  UnschedulableAndUnresolvable = 3,
  /** PreFilter/PreScore: this plugin has nothing to check for this pod; skip its Filter/Score. */
  Skip = 4,
}

const CODE_NAMES = ['Success', 'Error', 'Unschedulable', 'UnschedulableAndUnresolvable', 'Skip'];

export class Status {
  constructor(readonly code: Code, readonly reasons: readonly string[] = [], readonly plugin = '') {}

  isSuccess(): boolean { return this.code === Code.Success; }
  isSkip(): boolean { return this.code === Code.Skip; }
  /** Unschedulable or UnschedulableAndUnresolvable. */
  isRejected(): boolean { return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable; }
  message(): string { return this.reasons.join(', '); }
  withPlugin(plugin: string): Status { return plugin === this.plugin ? this : new Status(this.code, this.reasons, plugin); }
  toString(): string { return `${CODE_NAMES[this.code]}${this.plugin ? `(${this.plugin})` : ''}: ${this.message()}`; }
}

export const SUCCESS = new Status(Code.Success);
export const SKIP = new Status(Code.Skip);

export const unschedulable = (...reasons: string[]): Status => new Status(Code.Unschedulable, reasons);
export const unresolvable = (...reasons: string[]): Status => new Status(Code.UnschedulableAndUnresolvable, reasons);
export const asError = (e: unknown): Status => new Status(Code.Error, [e instanceof Error ? e.message : String(e)]);
