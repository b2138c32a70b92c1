/** Duplicate-key detection in JSON and YAML request bodies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonStrict, parseYamlStrict } from '../../src/api/schema/index.js';

describe('parseJsonStrict', () => {
  const cases: Array<{ name: string; text: string; dups: string[] }> = [
    { name: 'no duplicates', text: '{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}', dups: [] },
    { name: 'top level', text: '{"a":1,"a":2}', dups: ['.a'] },
    { name: 'nested', text: '{"metadata":{"name":"x","labels":{},"name":"y"}}', dups: ['.metadata.name'] },
    { name: 'in a list item', text: '{"spec":{"containers":[{"name":"a"},{"name":"b","image":"i","image":"j"}]}}', dups: ['.spec.containers[1].image'] },
    { name: 'root array', text: '[{"op":"add","path":"/a","path":"/b"}]', dups: ['[0].path'] },
    { name: 'three times', text: '{"a":1,"a":2,"a":3}', dups: ['.a', '.a'] },
    { name: 'escaped key equal to a plain one', text: '{"a\\u0062":1,"ab":2}', dups: ['.ab'] },
    { name: 'colons and quotes inside strings', text: '{"a":"x:\\"y\\":z","b\\\\":"\\\\","c":"{\\"a\\":1,\\"a\\":2}"}', dups: [] },
    { name: 'whitespace everywhere', text: ' { "a" : 1 ,\n\t"b" : [ 1 , 2 ] , "a" : { } } ', dups: ['.a'] },
    { name: 'scalars', text: '"just a string"', dups: [] },
    { name: '__proto__ is a key like any other', text: '{"__proto__":1,"__proto__":2}', dups: ['.__proto__'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseJsonStrict(c.text);
      assert.deepEqual(r.value, JSON.parse(c.text));
      assert.deepEqual(r.duplicates, c.dups);
      assert.deepEqual(r.duplicateMessages, c.dups.map(d => `duplicate field "${d.replace(/^\./, '')}"`));
    });
  }

  it('throws SyntaxError like JSON.parse', () => {
    assert.throws(() => parseJsonStrict('{"a":'), SyntaxError);
  });

  it('agrees with a naive detector on random documents', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const keys = ['a', 'b', 'c', 'a:b', 'q"t', 'x\\'];
    const gen = (depth: number, path: string, dups: string[]): string => {
      if (depth > 3 || rand(3) === 0) return JSON.stringify(rand(2) ? 'v:"' + rand(9) : rand(100));
      if (rand(2)) return `[${Array.from({ length: rand(3) }, (_, i) => gen(depth + 1, `${path}[${i}]`, dups)).join(',')}]`;
      const seen = new Set<string>();
      const parts: string[] = [];
      for (let i = rand(4); i > 0; i--) {
        const k = keys[rand(keys.length)];
        if (seen.has(k)) dups.push(`${path}.${k}`);
        seen.add(k);
        parts.push(`${JSON.stringify(k)}:${gen(depth + 1, `${path}.${k}`, dups)}`);
      }
      return `{${parts.join(',')}}`;
    };
    for (let n = 0; n < 300; n++) {
      const dups: string[] = [];
      const text = gen(0, '', dups);
      assert.deepEqual(parseJsonStrict(text).duplicates, dups, text);
    }
  });
});

describe('parseYamlStrict', () => {
  it('reports repeated keys with upstream line messages', () => {
    const r = parseYamlStrict('metadata:\n  name: a\n  labels:\n    x: "1"\n    x: "2"\n  name: b\nspec: {}\n');
    assert.deepEqual(r.duplicates, ['.metadata.labels.x', '.metadata.name']);
    assert.deepEqual(r.duplicateMessages, ['line 5: key "x" already set in map', 'line 6: key "name" already set in map']);
    assert.deepEqual(r.value, { metadata: { name: 'b', labels: { x: '2' } }, spec: {} });
  });

  it('decodes scalars like go-yaml v2', () => {
    const r = parseYamlStrict('mode: 0644\nenabled: yes\nwhen: 2024-01-02\nport: 8080\nratio: 1:30\nnothing: ~\n');
    assert.deepEqual(r.value, { mode: 420, enabled: true, when: '2024-01-02', port: 8080, ratio: '1:30', nothing: null });
    assert.deepEqual(r.duplicates, []);
  });

  it('finds duplicates in sequences of maps and flow style', () => {
    const r = parseYamlStrict('{spec: {containers: [{name: a, name: b}]}}');
    assert.deepEqual(r.duplicates, ['.spec.containers[0].name']);
  });

  it('throws SyntaxError on malformed YAML', () => {
    assert.throws(() => parseYamlStrict('a: [1, 2\n'), SyntaxError);
  });
});
