/**
 * The run dir (records, bundles) is a tmpfs and the writable layers are on disk: after a
 * reboot (an empty run dir) the layers nobody describes any more are removed, while an
 * agent restart (the run dir still holding state) leaves every layer where it is. A dir
 * holding more than a writable layer is never removed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RuncRuntime } from '../../src/node/runtime/runc/runc-runtime.js';
import { makeEnv, rootSkip, type TestEnv } from './fixture.js';

async function layer(dir: string, extra?: string): Promise<void> {
  await mkdir(join(dir, 'upper'), { recursive: true });
  await mkdir(join(dir, 'work'), { recursive: true });
  await writeFile(join(dir, 'upper', 'written'), 'x');
  if (extra) await writeFile(join(dir, extra), 'y');
}

describe('writable layers after a reboot and after an agent restart', { skip: rootSkip }, () => {
  let env: TestEnv;
  before(async () => { env = await makeEnv({ images: false }); });
  after(async () => { await env?.cleanup(); });

  it('a fresh run dir removes layer-only dirs; a restart keeps them', async () => {
    const state = env.runtimeOptions().stateDir;
    const orphan = join(state, 'containers', 'orphan');
    const sandboxOrphan = join(state, 'sandboxes', 'orphan');
    const other = join(state, 'containers', 'not-a-layer');
    await layer(orphan);
    await layer(sandboxOrphan);
    await layer(other, 'something-else');
    const rt = await env.runtime(); // the run dir is new: as after a reboot
    assert.equal(existsSync(orphan), false, 'container layer of a container gone with the machine');
    assert.equal(existsSync(sandboxOrphan), false, 'sandbox layer too');
    assert.ok(existsSync(join(other, 'something-else')), 'a dir holding more than a layer stays');

    // An agent restart: the run dir (a tmpfs that outlives the agent) still holds state.
    const live = join(state, 'containers', 'live');
    await layer(live);
    const again = await RuncRuntime.create(env.runtimeOptions());
    assert.equal(again.runDir, rt.runDir);
    assert.ok(existsSync(join(live, 'upper', 'written')), 'layers kept across an agent restart');
  });
});
