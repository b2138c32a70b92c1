/** This machine's primary IPv4 address: the default route's source, else the first non-loopback one. */
import { networkInterfaces } from 'node:os';
import { execRunner, type Runner } from './iptables.js';

export async function defaultNodeIP(run: Runner = execRunner): Promise<string> {
  const r = await run('ip', ['-4', 'route', 'get', '1.1.1.1']).catch(() => undefined);
  const viaRoute = r && r.code === 0 ? /\bsrc (\S+)/.exec(r.stdout)?.[1] : undefined;
  if (viaRoute) return viaRoute;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
