/**
 * The relay that reaches a pod's localhost: started by NetnsDialer inside the pod's
 * network namespace (`nsenter --net=…`), it listens on a unix socket in the host's
 * filesystem (reachable from any namespace). Per connection the dialer writes
 * `<port>\n`; the relay connects to localhost:<port> in the pod and answers `ok\n`
 * (then relays bytes, half-closes included) or `error <message>\n`.
 * It exits when its stdin closes (the agent is gone) or after `idleMs` without connections.
 *
 * Started with a Node IPC channel (the dialer's default), it also takes `{ id, port }`
 * messages and hands the connected socket itself back (SCM_RIGHTS under Node's IPC):
 * the agent then talks to the pod directly and no byte passes through this process.
 *
 * Usage: node netns-relay.js <socket-path> [idle-ms]
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';

/** Connects to 127.0.0.1, then ::1, as the kubelet's runtimes try both loopbacks. */
function dialLoopback(port: number): Promise<Socket> {
  const attempt = (host: string) => new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    s.once('connect', () => { s.off('error', reject); resolve(s); }).once('error', reject);
  });
  return attempt('127.0.0.1').catch(e4 => attempt('::1').catch(() => { throw e4; }));
}

function main(path: string, idleMs: number): void {
  let active = 0;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => { clearTimeout(idle); if (active === 0) idle = setTimeout(() => process.exit(0), idleMs); };
  rmSync(path, { force: true });
  const server = createServer({ allowHalfOpen: true }, c => {
    active++;
    clearTimeout(idle);
    c.once('close', () => { active--; armIdle(); });
    c.on('error', () => {});
    let line = '';
    const onData = (d: Buffer) => {
      line += d.toString('latin1');
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      c.off('data', onData);
      c.pause();
      const rest = Buffer.from(line.slice(nl + 1), 'latin1');
      const port = Number(line.slice(0, nl));
      dialLoopback(port).then(up => {
        up.on('error', () => c.destroy());
        c.on('error', () => up.destroy());
        c.write('ok\n');
        if (rest.length) up.write(rest);
        c.pipe(up);
        up.pipe(c);
        c.resume();
        up.once('close', () => c.destroy());
        c.once('close', () => up.destroy());
      }, (e: Error) => c.end(`error ${e.message}\n`));
    };
    c.on('data', onData);
  });
  if (process.send) {
    process.on('message', (m: { id: number; port: number }) => {
      clearTimeout(idle);
      dialLoopback(m.port).then(
        s => {
          // Stop reading so no byte stays behind here; what was read already travels with the handle.
          (s as unknown as { _handle?: { readStop(): number } })._handle?.readStop();
          const head: Buffer[] = [];
          for (let b: Buffer | null; (b = s.read() as Buffer | null) !== null;) head.push(b);
          const buffered = Buffer.concat(head).toString('base64');
          // The bare handle: the agent wraps it in a socket of its own making (pooled reads).
          const handle = (s as unknown as { _handle?: unknown })._handle;
          process.send!({ id: m.id, ...(buffered ? { head: buffered } : {}) }, handle, {}, () => { s.destroy(); armIdle(); });
        },
        (e: Error) => { process.send!({ id: m.id, error: e.message }); armIdle(); },
      );
    });
    process.on('disconnect', () => process.exit(0));
  }
  server.listen(path, () => process.stdout.write('listening\n'));
  process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();
  process.on('exit', () => rmSync(path, { force: true }));
  process.on('SIGTERM', () => process.exit(0));
  armIdle();
}

main(process.argv[2]!, Number(process.argv[3] ?? 60_000));
