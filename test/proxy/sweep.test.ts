/**
 * Interrupted test runs leave nothing behind: a run killed with SIGTERM (or SIGINT)
 * removes its chains, routes, netns, links and processes itself; one killed with SIGKILL
 * is cleaned up by the next run's sweepDeadRuns(); a live run's things are never touched.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execRunner, tableFor } from '../../src/proxy/index.js';
import { leftovers, needsRoot } from './netns.js';
import { alive, ourRules, sweepDeadRuns } from './sweep.js';

const CHILD = fileURLToPath(new URL('./sweep-child.js', import.meta.url));

interface Made { prefix: string; serviceCidr: string; netId: string; serverPid: number }

async function startChild(): Promise<{ child: ChildProcess; made: Made }> {
  const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  const made = await new Promise<Made>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => { out += d; if (out.includes('\n')) resolve(JSON.parse(out)); });
    child.once('exit', c => reject(new Error(`child exited ${c}`)));
  });
  return { child, made };
}

/** Everything of the run still on the machine. */
async function remains(m: Made): Promise<string[]> {
  const out = [...await leftovers(m.netId), ...await ourRules(m.prefix)];
  if ((await execRunner('ip', ['route', 'show', 'type', 'unreachable'])).stdout.includes(m.serviceCidr)) out.push('unreachable route');
  if ((await execRunner('ip', ['route', 'show', 'table', String(tableFor(m.prefix))])).stdout.trim()) out.push('lookup table');
  if ((await execRunner('ip', ['rule'])).stdout.includes(`lookup ${tableFor(m.prefix)}`)) out.push('ip rule');
  if (alive(m.serverPid)) out.push('server process in the netns');
  return out;
}

const exited = (c: ChildProcess) => new Promise(r => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)));

describe('interrupted test runs', { skip: needsRoot }, () => {
  it('SIGTERM: the run removes what it made before exiting', async () => {
    const { child, made } = await startChild();
    assert.ok((await remains(made)).length >= 4, 'the child made its chains, routes and netns');
    child.kill('SIGTERM');
    await exited(child);
    assert.deepEqual(await remains(made), []);
  });

  it('SIGKILL: the next run sweeps it; a live run is left alone', async () => {
    const killed = await startChild();
    const live = await startChild();
    try {
      killed.child.kill('SIGKILL');
      await exited(killed.child);
      assert.ok((await remains(killed.made)).length >= 4, 'a SIGKILLed run leaves its things');
      await sweepDeadRuns();
      assert.deepEqual(await remains(killed.made), []);
      assert.ok((await remains(live.made)).length >= 4, 'the live run keeps its things');
    } finally {
      live.child.kill('SIGINT');
      await exited(live.child);
    }
    assert.deepEqual(await remains(live.made), []);
  });
});
