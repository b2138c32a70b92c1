/**
 * The `unreachable` route over the whole cluster CIDR: pod addresses that are not on this
 * node's bridge get an immediate "no route" instead of leaking to the default gateway.
 * The bridge's own /24 is more specific and wins for local pods.
 */
import { execFile } from 'node:child_process';

function ip(args: string[]): Promise<{ ok: boolean; err: string }> {
  return new Promise(resolve => execFile('ip', args, (e, _out, stderr) => resolve({ ok: !e, err: String(stderr).trim() })));
}

export async function addUnreachableRoute(cidr: string): Promise<void> {
  const r = await ip(['route', 'add', 'unreachable', cidr]);
  if (!r.ok && !/File exists/.test(r.err)) throw new Error(`ip route add unreachable ${cidr}: ${r.err}`);
}

export async function removeUnreachableRoute(cidr: string): Promise<void> {
  await ip(['route', 'del', 'unreachable', cidr]);
}
