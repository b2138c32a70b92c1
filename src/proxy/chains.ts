/**
 * Names of kubeling's own iptables chains. Every chain starts with one prefix (default
 * `KUBELING-`; tests use `KL-<random>-`) so a run finds, rewrites and removes exactly
 * its own chains and nothing else. Per-service chains carry a hash of the service port
 * (as kube-proxy's KUBE-SVC-<hash>), keeping names within iptables' 28 characters.
 */
import { createHash } from 'node:crypto';

export const MAX_PREFIX = 12;
const HASH_LEN = 12;

export class ChainNames {
  readonly prefix: string;

  constructor(prefix: string) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(prefix) || prefix.length > MAX_PREFIX) {
      throw new Error(`invalid chain prefix ${JSON.stringify(prefix)}: up to ${MAX_PREFIX} letters, digits, - or _`);
    }
    this.prefix = prefix;
  }

  // nat
  get services(): string { return `${this.prefix}SERVICES`; }
  get nodePorts(): string { return `${this.prefix}NODEPORTS`; }
  get postrouting(): string { return `${this.prefix}POSTROUTING`; }
  get markMasq(): string { return `${this.prefix}MARK-MASQ`; }
  get hairpin(): string { return `${this.prefix}HAIRPIN`; }
  // filter
  get filterServices(): string { return `${this.prefix}SERVICES`; }
  get externalServices(): string { return `${this.prefix}EXTERNAL`; }
  get forward(): string { return `${this.prefix}FORWARD`; }
  get firewall(): string { return `${this.prefix}FIREWALL`; }

  /** Cluster-wide endpoints of a service port. */
  svc(id: string, protocol: string): string { return `${this.prefix}SVC-${hash(`${id}/${protocol}`)}`; }
  /** Node-local endpoints of a service port. */
  svl(id: string, protocol: string): string { return `${this.prefix}SVL-${hash(`${id}/${protocol}`)}`; }
  /** Entry for node ports, load-balancer and external IPs. */
  ext(id: string, protocol: string): string { return `${this.prefix}EXT-${hash(`${id}/${protocol}`)}`; }
  /** One endpoint (only services with session affinity get these). */
  sep(id: string, protocol: string, ep: string): string { return `${this.prefix}SEP-${hash(`${id}/${protocol}/${ep}`)}`; }

  owns(chain: string): boolean { return chain.startsWith(this.prefix); }
}

/** An iptables comment match (quotes and backslashes removed). */
export function comment(s: string): string {
  return `-m comment --comment "${s.replace(/["\\]/g, '')}"`;
}

/** The masquerade mark as iptables writes it. */
export function markHex(bit = 0x4000): string {
  return `0x${bit.toString(16)}`;
}

// Names are asked for on every sync; hashing thousands of them each time adds up.
const hashes = new Map<string, string>();

function hash(s: string): string {
  let h = hashes.get(s);
  if (h === undefined) {
    if (hashes.size > 200_000) hashes.clear();
    hashes.set(s, h = digest(s));
  }
  return h;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'X').slice(0, HASH_LEN).toUpperCase();
}

/** A fresh prefix for one test or benchmark run. */
export function randomPrefix(): string {
  return `KL-${Math.random().toString(36).slice(2, 7).toUpperCase()}-`;
}
