import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAll, readTar } from '../../src/node/runtime/images/tar-reader.js';
import { TarWriter } from '../../src/node/runtime/images/tar-writer.js';

async function* chunked(b: Buffer, n: number) {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

describe('tar', () => {
  it('round-trips files, dirs, symlinks and long names in any chunking', async () => {
    const long = 'd/' + 'x'.repeat(150) + '/file.txt';
    const tar = new TarWriter()
      .add({ path: 'd', type: 'dir', mode: 0o755 })
      .add({ path: 'd/a.txt', type: 'file', mode: 0o4755, uid: 7, gid: 8, mtime: 1234, data: Buffer.from('hello') })
      .add({ path: 'd/link', type: 'symlink', mode: 0o777, linkname: '/' + 'y'.repeat(120) })
      .add({ path: long, type: 'file', mode: 0o644, data: Buffer.alloc(1000, 1) })
      .finish();
    for (const size of [3, 7, 512, 100000]) {
      const seen: { path: string; type: string; mode: number; body: number; link: string }[] = [];
      for await (const { entry, body } of readTar(chunked(tar, size))) {
        const b = entry.path === 'd/a.txt' || entry.path === long ? await readAll(body) : Buffer.alloc(0);
        seen.push({ path: entry.path, type: entry.type, mode: entry.mode, body: b.length, link: entry.linkname });
        if (entry.path === 'd/a.txt') { assert.equal(b.toString(), 'hello'); assert.equal(entry.uid, 7); assert.equal(entry.mtime, 1234); }
      }
      assert.deepEqual(seen.map(s => [s.path, s.type, s.body]), [['d', 'dir', 0], ['d/a.txt', 'file', 5], ['d/link', 'symlink', 0], [long, 'file', 1000]]);
      assert.equal(seen[1]!.mode, 0o4755);
      assert.equal(seen[2]!.link, '/' + 'y'.repeat(120));
    }
  });

  it('rejects a corrupt header', async () => {
    const tar = new TarWriter().add({ path: 'f', type: 'file', mode: 0o644, data: Buffer.from('x') }).finish();
    tar[10] = 0x41;
    await assert.rejects(async () => { for await (const _ of readTar(chunked(tar, 512))) { /* */ } }, /checksum/);
  });
});
