import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue, isValidPortName, isConfigMapKey,
} from '../../src/api/validation/index.js';

test('names: DNS-1123 labels and subdomains worded like apimachinery', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('My_Name'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.equal(isDNS1123Label('a'.repeat(64))[0], 'must be no more than 63 characters');
  assert.deepEqual(isDNS1123Subdomain('a.b-c.d'), []);
  assert.equal(isDNS1123Subdomain('-x').length, 1);
  assert.deepEqual(isDNS1035Label('abc-1'), []);
  assert.equal(isDNS1035Label('1abc').length, 1, 'RFC 1035 labels start with a letter');
});

test('names: qualified names, label values, port names, config keys', () => {
  assert.deepEqual(isQualifiedName('example.com/Name_1'), []);
  assert.deepEqual(isQualifiedName('a/b/c').length, 1);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('x/').includes('name part must be non-empty'), true);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('-bad').length, 1);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must contain consecutive hyphens'.replace('must', 'must not')]);
  assert.deepEqual(isConfigMapKey('.env'), []);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
});
