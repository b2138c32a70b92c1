/** Volume files (atomic ..data swaps) and CRI log reading (tail, since, timestamps, limits, partial lines, follow). */
import assert from 'node:assert/strict';
import { appendFile, lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { payloadHash, validPayloadPath, writeAtomic, type Payload } from '../../../src/node/volumes/atomic-writer.js';
import { parseCriLine, readLog, readTail } from '../../../src/node/logs/cri-log.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'kubeling-node-unit-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const payload = (o: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(o).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

describe('writeAtomic', () => {
  it('writes through ..data, swaps it on update, and drops keys that went away', async () => {
    const v = join(dir, 'vol');
    await writeAtomic(v, payload({ a: '1', 'sub/b': '2' }, 0o400));
    assert.equal(await readFile(join(v, 'a'), 'utf8'), '1');
    assert.equal(await readFile(join(v, 'sub', 'b'), 'utf8'), '2');
    assert.equal(await readlink(join(v, 'a')), '..data/a');
    assert.equal((await lstat(join(v, '..data', 'a'))).mode & 0o777, 0o400);
    const first = await readlink(join(v, '..data'));
    await writeAtomic(v, payload({ a: '3' }));
    assert.equal(await readFile(join(v, 'a'), 'utf8'), '3');
    assert.notEqual(await readlink(join(v, '..data')), first);
    const names = (await readdir(v)).sort();
    assert.deepEqual(names.filter(n => !n.startsWith('..')), ['a']);
    assert.equal(names.filter(n => n.startsWith('..') && n !== '..data').length, 1, 'the old timestamped dir is gone');
  });
  it('refuses paths leaving the volume, and hashes payloads stably', () => {
    for (const p of ['/abs', '../x', 'a/../../x', '..data', '']) assert.equal(validPayloadPath(p), false, p);
    assert.equal(validPayloadPath('a/b'), true);
    assert.equal(payloadHash(payload({ a: '1', b: '2' })), payloadHash(new Map([...payload({ b: '2', a: '1' })])));
  });
});

describe('CRI logs', () => {
  const line = (t: string, s: string, tag: string, text: string) => `2026-01-01T00:00:0${t}.000000001Z ${s} ${tag} ${text}\n`;
  let file: string;
  before(async () => {
    file = join(dir, '0.log');
    await writeFile(file, line('1', 'stdout', 'F', 'one') + line('2', 'stderr', 'F', 'two') + line('3', 'stdout', 'P', 'thr') + line('3', 'stdout', 'F', 'ee') + line('4', 'stdout', 'F', 'four'));
  });
  const read = async (o: Parameters<typeof readLog>[1]) => { let s = ''; for await (const x of readLog(file, o, async () => false)) s += x; return s; };

  it('parses lines', () => {
    assert.deepEqual(parseCriLine('2026-01-01T00:00:00Z stdout F hello world'), { time: '2026-01-01T00:00:00Z', stream: 'stdout', partial: false, text: 'hello world' });
    assert.equal(parseCriLine('2026-01-01T00:00:00Z stdout P ')!.partial, true);
  });
  it('joins partial lines; tail counts whole lines', async () => {
    assert.equal(await read({}), 'one\ntwo\nthree\nfour\n');
    assert.equal(await read({ tailLines: 2 }), 'three\nfour\n');
    assert.equal(await read({ tailLines: 10 }), 'one\ntwo\nthree\nfour\n');
    assert.equal(await read({ tailLines: 0 }), '');
    assert.equal(await readTail(file, 1), 'four\n');
  });
  it('since, timestamps and byte limits', async () => {
    assert.equal(await read({ sinceTime: new Date('2026-01-01T00:00:02.5Z') }), 'three\nfour\n');
    assert.equal(await read({ timestamps: true, tailLines: 1 }), '2026-01-01T00:00:04.000000001Z four\n');
    assert.equal(await read({ limitBytes: 6 }), 'one\ntw');
  });
  it('follows while the container runs', async () => {
    let alive = true;
    const got: string[] = [];
    const done = (async () => { for await (const x of readLog(file, { follow: true, tailLines: 0 }, async () => alive)) got.push(x); })();
    await new Promise(r => setTimeout(r, 100));
    await appendFile(file, line('5', 'stdout', 'F', 'five'));
    await new Promise(r => setTimeout(r, 300));
    alive = false;
    await done;
    assert.equal(got.join(''), 'five\n');
  });
});
