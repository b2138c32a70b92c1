/**
 * The shared mountinfo parser: every octal escape the kernel writes in a path is decoded
 * (a volume dir with a space, tab, newline or backslash in it is found, and unmounted),
 * and what lies under a dir comes deepest first with stacked mounts upper first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMountPoints, pointsUnder, readMountPoints, unescapeMountPath } from '../../../src/node/runtime/mount-table.js';

const line = (id: number, parent: number, point: string) => `${id} ${parent} 0:${id} / ${point} rw,relatime shared:${id} - tmpfs tmpfs rw`;

describe('mount table', () => {
  it('decodes \\040 (space), \\011 (tab), \\012 (newline) and \\134 (backslash)', () => {
    assert.equal(unescapeMountPath('/v/a\\040b'), '/v/a b');
    assert.equal(unescapeMountPath('/v/a\\011b'), '/v/a\tb');
    assert.equal(unescapeMountPath('/v/a\\012b'), '/v/a\nb');
    assert.equal(unescapeMountPath('/v/a\\134b'), '/v/a\\b');
    assert.equal(unescapeMountPath('/v/a\\134040b'), '/v/a\\040b', 'an escaped backslash followed by digits is one backslash');
    const info = [line(1, 0, '/'), line(2, 1, '/pods/x/vol\\040one'), line(3, 1, '/pods/x/tab\\011\\012nl\\134'), ''].join('\n');
    assert.deepEqual(parseMountPoints(info), ['/', '/pods/x/vol one', '/pods/x/tab\t\nnl\\']);
  });

  it('what lies under a dir: deepest first, stacked mounts upper first, neighbours with a common prefix left out', () => {
    const points = ['/', '/pods/x', '/pods/x/a', '/pods/x/a/b', '/pods/xy', '/pods/x/a'];
    assert.deepEqual(pointsUnder(points, '/pods/x'), ['/pods/x/a/b', '/pods/x/a', '/pods/x/a', '/pods/x']);
    assert.deepEqual(pointsUnder(points, '/'), ['/pods/x/a/b', '/pods/x/a', '/pods/x/a', '/pods/xy', '/pods/x', '/']);
  });

  it('reads this process\'s table (the root is always there)', async () => {
    assert.ok((await readMountPoints()).includes('/'));
  });
});
