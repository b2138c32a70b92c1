/**
 * A shim binary built from other sources (another git worktree sharing the image dir, built
 * later so it looked newer) is rebuilt, never used; a helper that cannot serve as spawner
 * fails each request with its path instead of leaving anyone waiting. Seen as a cluster start
 * whose node never registered: every runtime call died on an old shim's usage line.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureShim } from '../../src/node/runtime/native.js';
import { Spawner } from '../../src/node/runtime/spawner.js';
import { hasCommand } from './fixture.js';

/** What an old shim does with `spawner`: prints its usage and exits 2. */
const OLD_SHIM = '#!/bin/sh\necho "usage: kubeling-shim run --runc R ... | whiteout" >&2\nexit 2\n';

describe('stale shim', { skip: hasCommand('gcc') ? false : 'needs gcc' }, () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kubeling-stale-shim-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('a spawner whose helper exits at once rejects every request, naming the helper', async () => {
    const old = join(dir, 'old-shim');
    await writeFile(old, OLD_SHIM);
    await chmod(old, 0o755);
    const sp = new Spawner(old);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(sp.run('/bin/true', []), (e: Error) => e.message.includes(old) && /exited \(2\)/.test(e.message));
    }
  });

  it('ensureShim rebuilds a binary from other sources even when it is newer than ours', async () => {
    const out = join(dir, 'kubeling-shim');
    await writeFile(out, OLD_SHIM);
    await chmod(out, 0o755);
    const future = new Date(Date.now() + 365 * 24 * 3600_000);
    await utimes(out, future, future);
    assert.equal(await ensureShim(out), out);
    assert.notEqual(await readFile(out, 'utf8').catch(() => ''), OLD_SHIM, 'rebuilt');
    const r = await new Spawner(out).run('/bin/sh', ['-c', 'echo served']);
    assert.equal(r.stdout.toString(), 'served\n');
    // Up to date now: the same file is kept.
    const built = (await stat(out)).ino;
    await ensureShim(out);
    assert.equal((await stat(out)).ino, built);
  });
});
