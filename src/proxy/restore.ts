/**
 * Turns a desired RuleSet into one `iptables-restore --noflush` batch against what is
 * programmed: chains whose rules changed are redeclared (which flushes them) and
 * refilled, chains no longer wanted are flushed and deleted, untouched chains are not
 * mentioned at all. A full sync (`previous` unknown) rewrites every chain we want.
 */
import type { Jump, RuleSet, Table } from './rules.js';

/** What a table holds of ours: chain → its rules (arrays are never mutated once generated). */
export type Programmed = Record<Table, Map<string, readonly string[]>>;

export interface Batch {
  text: string;
  /** Chains rewritten or deleted, for logs and benchmarks. */
  changed: number;
  deleted: number;
  rules: number;
  /** The state after the batch is applied. */
  next: Programmed;
}

const TABLES: Table[] = ['filter', 'nat'];

/**
 * `existing`: our chains that exist now (every one not in `desired` is deleted).
 * `previous`: what we last wrote to them; omit to rewrite everything.
 * `addJumps` / `removeJumps`: built-in chain rules to insert first or delete.
 */
export function buildBatch(desired: RuleSet, existing: Record<Table, Set<string>>, previous?: Programmed,
  addJumps: Jump[] = [], removeJumps: Jump[] = []): Batch {
  const next: Programmed = { nat: new Map(), filter: new Map() };
  const lines: string[] = [];
  let changed = 0, deleted = 0, rules = 0;
  for (const table of TABLES) {
    const want = desired[table];
    const decl: string[] = [], body: string[] = [], tail: string[] = [];
    for (const [chain, rs] of want) {
      next[table].set(chain, rs);
      if (previous && existing[table].has(chain) && sameRules(previous[table].get(chain), rs)) continue;
      decl.push(`:${chain} - [0:0]`);
      for (const r of rs) body.push(`-A ${chain} ${r}`);
      changed++;
      rules += rs.length;
    }
    // Jumps go in after their target chains exist and before stale ones are deleted.
    for (const j of addJumps) if (j.table === table) body.push(`-I ${j.chain} 1 ${j.rule}`);
    for (const j of removeJumps) if (j.table === table) body.push(`-D ${j.chain} ${j.rule}`);
    for (const chain of [...existing[table]].sort()) {
      if (want.has(chain)) continue;
      decl.push(`:${chain} - [0:0]`);
      tail.push(`-X ${chain}`);
      deleted++;
    }
    if (!decl.length && !body.length) continue;
    lines.push(`*${table}`, ...decl, ...body, ...tail, 'COMMIT');
  }
  return { text: lines.length ? lines.join('\n') + '\n' : '', changed, deleted, rules, next };
}

function sameRules(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A RuleSet with no chains: building a batch from it removes everything we own. */
export function emptyRuleSet(): RuleSet {
  return { nat: new Map(), filter: new Map() };
}
