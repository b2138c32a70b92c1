/** bin/kubeling starts Node with SERVER_NODE_FLAGS, the flags tests and benches give the server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { REPO_ROOT } from './paths.js';

const BIN = join(REPO_ROOT, 'bin', 'kubeling');

test('bin/kubeling runs node with SERVER_NODE_FLAGS', async () => {
  const shebang = readFileSync(BIN, 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
  // The shebang really starts: env -S splits the flags and node accepts them.
  const { stdout } = await promisify(execFile)(BIN, ['--help']);
  assert.match(stdout, /Usage: kubeling/);
});
