/** `runc exec` into a running container: collected (probes, hooks) or streamed (kubectl exec). */
import type { ExecOptions, ExecResult, ExecSession } from '../runtime.js';
import type { RuncCli } from './runc-cli.js';

export function execCollect(runc: RuncCli, id: string, opts: ExecOptions): Promise<ExecResult> {
  return new Promise(resolve => {
    const child = runc.exec(id, opts.cmd, { env: opts.env, cwd: opts.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let killer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM'); // runc forwards it to the process
        killer = setTimeout(() => child.kill('SIGKILL'), 1000);
      }, opts.timeoutMs);
    }
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const done = (code: number) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ exitCode: code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
    };
    child.on('error', e => { err.push(Buffer.from(e.message)); done(126); });
    child.on('close', (code, sig) => done(code ?? (sig ? 128 + 9 : 1)));
  });
}

export function execStream(runc: RuncCli, id: string, opts: Omit<ExecOptions, 'input' | 'timeoutMs'>): ExecSession {
  const child = runc.exec(id, opts.cmd, { env: opts.env, cwd: opts.cwd });
  const exited = new Promise<number>(resolve => {
    child.on('error', () => resolve(126));
    child.on('close', (code, sig) => resolve(code ?? (sig ? 137 : 1)));
  });
  return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited, kill: sig => child.kill(sig ?? 'SIGTERM') };
}
