/**
 * Query parameters of exec/attach and port-forward. kubectl sends `stdin=true`; the
 * kube-apiserver → kubelet hop uses `input=1` / `output=1` / `error=1` and `port=` —
 * every spelling is accepted so the agent can be reached either way.
 */
import { BadRequestError } from '../../api/errors.js';

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  /** Always false with a tty (the pty merges it into stdout). */
  stderr: boolean;
  tty: boolean;
}

export interface ExecRequest extends StreamOptions {
  command: string[];
  container?: string;
}

/** The kubelet's names for the stream flags (upstream's ExecStdinParam…). */
const KUBELET_NAMES: Record<string, string> = { stdin: 'input', stdout: 'output', stderr: 'error' };

const flag = (q: URLSearchParams, name: string) => {
  const v = q.get(name) ?? (KUBELET_NAMES[name] ? q.get(KUBELET_NAMES[name]) : null);
  return v === '1' || v === 'true';
};

export function parseStreamOptions(q: URLSearchParams): StreamOptions {
  const tty = flag(q, 'tty');
  const o = { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr') && !tty, tty };
  if (!o.stdin && !o.stdout && !flag(q, 'stderr')) throw new BadRequestError('you must specify at least 1 of stdin, stdout, stderr');
  return o;
}

/** exec: `command` repeated, one argv element each. */
export function parseExecRequest(q: URLSearchParams): ExecRequest {
  const command = q.getAll('command');
  if (command.length === 0) throw new BadRequestError('you must specify at least one command for the container');
  return { ...parseStreamOptions(q), command, container: q.get('container') ?? undefined };
}

/** port-forward ports from `ports` or `port`, repeated or comma-separated. */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = [...q.getAll('ports'), ...q.getAll('port')].flatMap(v => v.split(',')).map(s => s.trim()).filter(Boolean);
  if (raw.length === 0) throw new BadRequestError('query parameter "port" is required');
  return raw.map(parsePort);
}

export function parsePort(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) > 65535) throw new BadRequestError(`unable to parse "${s}" as a port: invalid syntax`);
  const n = Number(s);
  if (n < 1) throw new BadRequestError(`port "${s}" must be > 0`);
  return n;
}
