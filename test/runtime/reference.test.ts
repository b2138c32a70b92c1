import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familiarName, normalizeReference, parseReference } from '../../src/node/runtime/images/reference.js';

const D = 'sha256:' + 'a'.repeat(64);

describe('image references', () => {
  const ok: [string, string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['foo/bar:1', 'docker.io/foo/bar:1', 'foo/bar:1'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
    [`host:5000/x@${D}`, `host:5000/x@${D}`, `host:5000/x@${D}`],
    [`127.0.0.1:5000/a/b:t@${D}`, `127.0.0.1:5000/a/b:t@${D}`, `127.0.0.1:5000/a/b:t@${D}`],
    ['a.b-c/d__e/f.g:v1.2-rc_3', 'a.b-c/d__e/f.g:v1.2-rc_3', 'a.b-c/d__e/f.g:v1.2-rc_3'],
  ];
  for (const [input, canonical, familiar] of ok) {
    it(`normalizes ${input}`, () => {
      assert.equal(normalizeReference(input), canonical);
      assert.equal(familiarName(parseReference(input)), familiar);
    });
  }

  it('keeps parts apart', () => {
    assert.deepEqual(parseReference(`host:5000/x@${D}`), { domain: 'host:5000', path: 'x', tag: undefined, digest: D });
    assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest', digest: undefined });
  });

  const bad = ['', 'foo/Bar', 'busybox:', 'a b', 'busybox@sha256:abc', 'x:-tag', 'host:5000/UPPER', '-a/b', 'a//b'];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseReference(input), (e: Error & { code?: string }) => e.code === 'KL_INVALID_IMAGE_NAME');
    });
  }
});
