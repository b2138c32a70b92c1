/**
 * Routes that keep service traffic on this machine.
 *
 * - `unreachable <service CIDR>` in the main table: a VIP with no DNAT rule fails at
 *   once for pods (their packets are routed after PREROUTING's DNAT) instead of leaving
 *   through the default route.
 * - The node's own sockets route *before* OUTPUT's DNAT runs, so the unreachable route
 *   would make connect() to every VIP fail. A policy rule (`iif lo` = locally
 *   generated) sends them to a table of ours where the range goes via `lo`; OUTPUT then
 *   DNATs them, and the filter catch-all rejects whatever was not DNATed.
 * - route_localnet lets 127.0.0.1 node ports be DNATed to pods (kube-proxy sets it too;
 *   it is left on, other users of the machine may rely on it as well).
 */
import type { Runner } from './iptables.js';
import { execRunner } from './iptables.js';
import { writeFile } from 'node:fs/promises';

export interface RouteOptions {
  serviceCidr: string;
  /** Routing table for locally generated service traffic (one per proxy instance). */
  table: number;
  /** ip rule priority (default 1000). */
  priority?: number;
  /**
   * Source address for the node's connections to VIPs (default: the default route's
   * source). Without it the kernel would pick 127.0.0.1 for a route via lo.
   */
  sourceIP?: string;
}

/** A routing table number in 10000..59999 derived from the chain prefix (stable across restarts). */
export function tableFor(prefix: string): number {
  let h = 0;
  for (const c of prefix) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 10000 + (h % 50000);
}

export class ServiceRoutes {
  readonly #o: RouteOptions;
  readonly #run: Runner;

  constructor(o: RouteOptions, run: Runner = execRunner) {
    this.#o = o;
    this.#run = run;
  }

  /** Installs (or re-asserts) the routes and rule; idempotent. */
  async ensure(): Promise<void> {
    const { serviceCidr: cidr, table } = this.#o;
    await this.#ip(['route', 'replace', 'unreachable', cidr]);
    const src = this.#o.sourceIP ?? await this.#defaultSource();
    await this.#ip(['route', 'replace', cidr, 'dev', 'lo', ...(src ? ['src', src] : []), 'table', String(table)]);
    if (!(await this.hasRule())) {
      await this.#ip(['rule', 'add', 'iif', 'lo', 'to', cidr, 'lookup', String(table), 'priority', String(this.#o.priority ?? 1000)]);
    }
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1').catch(() => {});
  }

  async hasRule(): Promise<boolean> {
    const r = await this.#run('ip', ['rule', 'show', 'table', String(this.#o.table)]);
    return r.code === 0 && r.stdout.includes(this.#o.serviceCidr.replace(/\/32$/, ''));
  }

  async hasUnreachable(): Promise<boolean> {
    const r = await this.#run('ip', ['route', 'show', 'type', 'unreachable', this.#o.serviceCidr]);
    return r.code === 0 && r.stdout.trim().length > 0;
  }

  /** Removes what ensure() installed; missing pieces are fine. */
  async remove(): Promise<void> {
    const { serviceCidr: cidr, table } = this.#o;
    while (await this.hasRule()) {
      const r = await this.#run('ip', ['rule', 'del', 'iif', 'lo', 'to', cidr, 'lookup', String(table)]);
      if (r.code !== 0) break;
    }
    await this.#run('ip', ['route', 'flush', 'table', String(table)]);
    await this.#run('ip', ['route', 'del', 'unreachable', cidr]);
  }

  async #defaultSource(): Promise<string | undefined> {
    const r = await this.#run('ip', ['-4', 'route', 'get', '1.1.1.1']);
    return /\bsrc (\S+)/.exec(r.stdout)?.[1];
  }

  async #ip(args: string[]): Promise<void> {
    const r = await this.#run('ip', args);
    if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  }
}
