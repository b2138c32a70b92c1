import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity, tryParseQuantity, canonicalQuantity, QuantityError } from '../../src/api/validation/index.js';

test('quantity: parses the suffix families to comparable values', () => {
  const cases: Array<[string, number]> = [
    ['100m', 0.1], ['0.1', 0.1], ['1', 1], ['1k', 1000], ['1Ki', 1024], ['1Gi', 1024 ** 3], ['1e3', 1000],
    ['1E3', 1000], ['1.5', 1.5], ['.5', 0.5], ['5.', 5], ['-2', -2], ['+3', 3], ['250u', 0.00025], ['3n', 3e-9], ['1M', 1e6],
  ];
  for (const [s, n] of cases) assert.equal(parseQuantity(s).toNumber(), n, s);
  assert.equal(parseQuantity('100m').cmp(parseQuantity('0.1')), 0);
  assert.equal(parseQuantity('1Gi').cmp(parseQuantity('1G')), 1);
  assert.equal(parseQuantity('1Ei').cmp(parseQuantity('1152921504606846976')), 0, 'no float rounding at 2^60');
  assert.equal(parseQuantity(0.5).milliValue(), 500, 'JSON numbers are accepted');
  assert.equal(parseQuantity('1500m').milliValue(), 1500);
  assert.equal(parseQuantity('1.5Gi').value(), 1610612736);
  assert.equal(parseQuantity('0.1m').milliValue(), 1, 'milli values round up');
});

test('quantity: rejects bad syntax', () => {
  for (const s of ['', 'abc', '1.2.3', '1Kb', '1 Gi', '.', 'e3', '1e', '--1', '1Gii', '1ki']) {
    assert.equal(tryParseQuantity(s), undefined, s);
    assert.throws(() => parseQuantity(s), QuantityError);
  }
});

test('quantity: canonical form matches what kube-apiserver stores', () => {
  const cases: Array<[string | number, string]> = [
    ['0.5', '500m'], ['1000m', '1'], ['1000', '1k'], ['1500', '1500'], ['1.5Gi', '1536Mi'], ['1024Ki', '1Mi'],
    ['100Mi', '100Mi'], ['512', '512'], ['0.5Gi', '512Mi'], ['1e3', '1e3'], ['1.5e3', '1500'], ['0', '0'],
    ['0.1m', '1m'], [1, '1'], [0.25, '250m'], ['2G', '2G'], ['1000Mi', '1000Mi'], ['1Ti', '1Ti'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, String(input));
});

test('quantity: arithmetic keeps exact decimals', () => {
  const sum = parseQuantity('100m').add(parseQuantity('0.2'));
  assert.equal(sum.cmp(parseQuantity('300m')), 0);
  assert.equal(parseQuantity('1').sub(parseQuantity('1500m')).sign(), -1);
});
