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
    if (rand(40) === 0) {
      // A range read away from the writes leaves them pending and must still be exact.
      const lo = `/k/${rand(300)}`, hi = lo + '\uffff';
      const [keys, a, b] = idx.range(lo, hi);
      assert.deepEqual(keys.slice(a, b), [...ref].sort().filter(k => k >= lo && k < hi));
    }
    if (rand(20) === 0) {
      const sorted = [...ref].sort();
      assert.deepEqual(idx.keys(), sorted);
      const lo = `/k/${rand(300)}`;
      const [keys, a, b] = idx.range(lo, '/k/5');
      assert.deepEqual(keys.slice(a, b), sorted.filter(k => k >= lo && k < '/k/5'));
    }
  }
  assert.equal(idx.size, ref.size);
});

it('KeyIndex stays exact past its pending limit and across untouched prefixes', () => {
  const idx = new KeyIndex();
  const kv = (key: string) => ({ key, value: Buffer.alloc(0), createRevision: 1, modRevision: 1 });
  idx.set(kv('/a/x'));
  const pods: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const key = `/p/${String(i * 7919 % 10_007).padStart(5, '0')}`;
    idx.set(kv(key));
    pods.push(key);
    if (i % 1000 === 0) {
      const [keys, a, b] = idx.range('/a/', '/a0');
      assert.deepEqual(keys.slice(a, b), ['/a/x']);
    }
  }
  for (const k of pods.slice(0, 5000)) idx.delete(k);
  const [keys, a, b] = idx.range('/p/', '/p0');
  assert.deepEqual(keys.slice(a, b), pods.slice(5000).sort());
  assert.equal(idx.size, 5001);
});
