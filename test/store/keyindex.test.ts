/** KeyIndex against a plain sorted array, through a seeded random walk. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KeyIndex } from '../../src/store/keyindex.js';

it('KeyIndex keeps exact sorted ranges through random sets and deletes', () => {
  const idx = new KeyIndex();
  const ref = new Set<string>();
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let step = 0; step < 5000; step++) {
    const key = `/k/${rand(300)}`;
    if (rand(3) === 0) { idx.delete(key); ref.delete(key); }
    else { idx.set({ key, value: Buffer.alloc(0), createRevision: step, modRevision: step }); ref.add(key); }
    if (rand(20) === 0) {
      const sorted = [...ref].sort();
      assert.deepEqual(idx.keys(), sorted);
      const lo = `/k/${rand(300)}`;
      const [a, b] = idx.range(lo, '/k/5');
      assert.deepEqual(idx.keys().slice(a, b), sorted.filter(k => k >= lo && k < '/k/5'));
    }
  }
  assert.equal(idx.size, ref.size);
});
