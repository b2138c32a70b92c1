/**
 * One probe or hook action against a running container: exec (in the container),
 * httpGet (from the node to the pod IP, like the kubelet), tcpSocket, sleep.
 * Returns success and the output upstream shows in Unhealthy events.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, ExecAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/index.js';

/** `warning`: passed, but with something to say (the kubelet's ProbeWarning event). */
export interface ProbeResult { ok: boolean; output: string; warning?: string }

export interface ProbeTarget {
  runtime: Runtime;
  containerId: string;
  container: Container;
  podIP: string;
}

export interface Handler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: unknown;
  sleep?: { seconds: number };
}

export function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port && /^\d+$/.test(port)) return Number(port);
  const p = c.ports?.find(x => x.name === port);
  if (!p) throw new Error(`couldn't find port ${String(port)} in container ${c.name}`);
  return p.containerPort;
}

async function execProbe(t: ProbeTarget, a: ExecAction, timeoutMs: number): Promise<ProbeResult> {
  const r = await t.runtime.exec(t.containerId, { cmd: [...(a.command ?? [])], timeoutMs });
  const output = Buffer.concat([r.stdout, r.stderr]).toString().slice(0, 10240);
  if (r.timedOut) return { ok: false, output: `command ${JSON.stringify(a.command)} timed out` };
  return { ok: r.exitCode === 0, output: output.trim() };
}

function httpProbe(t: ProbeTarget, a: HTTPGetAction, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(a.port as number | string, t.container);
  const host = a.host || t.podIP;
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  const path = a.path?.startsWith('/') ? a.path : `/${a.path ?? ''}`;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of a.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise(resolve => {
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, res => {
      const code = res.statusCode ?? 0;
      // A redirect to another host is not followed: it passes with a warning, as the kubelet's
      // prober says it ("Probe terminated redirects"), with the start of the body.
      const location = code >= 300 && code < 400 ? res.headers.location : undefined;
      let offHost = false;
      try { offHost = !!location && new URL(location, url).host !== new URL(url).host; } catch { offHost = true; }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (body.length < 10 * 1024) body += c; });
      res.on('end', () => {
        if (offHost) return resolve({ ok: true, output: '', warning: `Probe terminated redirects, Response body: ${body}` });
        resolve(code >= 200 && code < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', e => resolve({ ok: false, output: `Get "${url}": ${e.message}` }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }); });
    req.on('error', e => resolve({ ok: false, output: `Get "${url}": ${dialError(host, port, e)}` }));
    req.end();
  });
}

function dialError(host: string, port: number, e: Error & { code?: string }): string {
  if (e.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  return e.message;
}

function tcpProbe(t: ProbeTarget, a: TCPSocketAction, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(a.port as number | string, t.container);
  const host = a.host || t.podIP;
  return new Promise(resolve => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on('connect', () => { s.destroy(); resolve({ ok: true, output: '' }); });
    s.on('timeout', () => { s.destroy(); resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` }); });
    s.on('error', e => resolve({ ok: false, output: dialError(host, port, e) }));
  });
}

export async function runHandler(t: ProbeTarget, h: Handler, timeoutMs: number): Promise<ProbeResult> {
  try {
    if (h.exec) return await execProbe(t, h.exec, timeoutMs);
    if (h.httpGet) return await httpProbe(t, h.httpGet, timeoutMs);
    if (h.tcpSocket) return await tcpProbe(t, h.tcpSocket, timeoutMs);
    if (h.sleep) { await new Promise(r => setTimeout(r, h.sleep!.seconds * 1000)); return { ok: true, output: '' }; }
    if (h.grpc) return { ok: false, output: 'grpc probes are not supported by this node' };
    return { ok: false, output: 'missing probe handler' };
  } catch (e) {
    return { ok: false, output: (e as Error).message };
  }
}
