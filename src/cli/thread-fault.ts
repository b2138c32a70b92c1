/**
 * Test-only: makes a components thread of `kubeling server` die on demand, so a test can
 * show the server starting it again and what the new thread does (test/node/agent-thread-restart.test.ts).
 * Off unless the environment sets KUBELING_TEST_THREAD_FAULT_FILE: then, on SIGUSR2, the file
 * is read ("<thread name> throw|terminate") and that thread throws an uncaught error inside
 * (throw) or is terminated from the main thread (terminate). No signal handler otherwise.
 */
import { readFileSync } from 'node:fs';
import { log } from './log.js';

export const THREAD_FAULT_FILE = 'KUBELING_TEST_THREAD_FAULT_FILE';
export type ThreadFault = 'throw' | 'terminate';

const threads = new Map<string, (fault: ThreadFault) => void>();
let installed = false;

/** Lets the test trigger `fault` on thread `name` (the latest registration of a name wins). */
export function registerThreadFaults(name: string, fault: (f: ThreadFault) => void): void {
  const file = process.env[THREAD_FAULT_FILE];
  if (!file) return;
  threads.set(name, fault);
  if (installed) return;
  installed = true;
  process.on('SIGUSR2', () => {
    let what: string[];
    try { what = readFileSync(file, 'utf8').trim().split(/\s+/); } catch (e) { log.warn('test thread fault: cannot read the file', { file, err: String(e) }); return; }
    const [thread, f] = what;
    const fire = thread === undefined ? undefined : threads.get(thread);
    if (!fire || (f !== 'throw' && f !== 'terminate')) { log.warn('test thread fault: want "<thread> throw|terminate"', { file, got: what.join(' '), threads: [...threads.keys()] }); return; }
    log.warn('test thread fault', { thread, fault: f });
    fire(f);
  });
}
