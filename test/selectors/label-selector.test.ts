import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../src/api/errors.js';
import { labelSelectorFromObject, parseLabelSelector, selectorFromSet } from '../../src/api/selectors/index.js';

const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector: canonical form', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['a', 'a'],
    ['!a', '!a'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['  b = 2 , a in ( y , x ) ', 'a in (x,y),b=2'],
    ['a=', 'a='],
    ['a in (b),a notin (c)', 'a in (b),a notin (c)'],
    ['example.com/app=web', 'example.com/app=web'],
    ['in=notin', 'in=notin'],
    ['k in (in, notin)', 'k in (in,notin)'],
    ['n>3,m<10', 'm<10,n>3'],
    ['a=b,a=b', 'a=b,a=b'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(parseLabelSelector(input).toString(), want));
  }
});

describe('parseLabelSelector: upstream errors', () => {
  const cases: Array<[string, string]> = [
    ['a$b=c', `unable to parse requirement: <nil>: Invalid value: "a$b": ${NAME_PART}`],
    ['a=b$', `unable to parse requirement: values[0][a]: Invalid value: "b$": ${VALUE}`],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a/b/c', 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\') with an optional DNS subdomain prefix and \'/\' (e.g. \'example.com/MyName\')'],
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [`${'x'.repeat(64)}`, `unable to parse requirement: <nil>: Invalid value: "${'x'.repeat(64)}": name part must be no more than 63 characters`],
    ['k in (b$,a$)', `unable to parse requirement: [values[0][k]: Invalid value: "a$": ${VALUE}, values[1][k]: Invalid value: "b$": ${VALUE}]`],
  ];
  for (const [input, message] of cases) {
    it(JSON.stringify(input), () => {
      assert.throws(() => parseLabelSelector(input), (e: unknown) => {
        assert.ok(e instanceof BadRequestError);
        assert.equal(e.message, message);
        assert.equal(e.httpStatus, 400);
        return true;
      });
    });
  }
});

describe('LabelMatcher.matches', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['', labels, true],
    ['', undefined, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['app!=db', labels, true],
    ['missing!=x', labels, true],
    ['app in (db,web)', labels, true],
    ['app in (db)', labels, false],
    ['missing in (x)', labels, false],
    ['app notin (db)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (x)', labels, true],
    ['tier', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!tier', labels, false],
    ['app=web,tier=back', labels, false],
    ['n>4', labels, true],
    ['n>5', labels, false],
    ['n<6', labels, true],
    ['app>1', labels, false],
    ['app in (a,b,c,d,e,web)', labels, true],
    ['constructor', {}, false],
    ['!toString', {}, true],
  ];
  for (const [sel, l, want] of cases) {
    it(`${JSON.stringify(sel)} on ${JSON.stringify(l)}`, () => assert.equal(parseLabelSelector(sel).matches(l), want));
  }
});

describe('LabelMatcher.exact', () => {
  it('pins =, == and single-valued in', () => {
    assert.equal(parseLabelSelector('a=1,b==2,c in (3),d in (4,5),e!=6').exact('a'), '1');
    const m = parseLabelSelector('b==2,c in (3),d in (4,5),e!=6');
    assert.deepEqual(['b', 'c', 'd', 'e', 'z'].map(k => m.exact(k)), ['2', '3', undefined, undefined, undefined]);
  });
});

describe('labelSelectorFromObject (metav1.LabelSelectorAsSelector)', () => {
  it('nil matches nothing, empty matches everything', () => {
    for (const sel of [null, undefined]) {
      const m = labelSelectorFromObject(sel);
      assert.equal(m.matches({}), false);
      assert.equal(m.nothing, true);
      assert.equal(m.empty, false);
    }
    for (const sel of [{}, { matchLabels: {}, matchExpressions: [] }]) {
      const m = labelSelectorFromObject(sel);
      assert.equal(m.matches({ any: 'thing' }), true);
      assert.equal(m.empty, true);
    }
  });
  it('ANDs matchLabels and matchExpressions, sorted by key', () => {
    const m = labelSelectorFromObject({
      matchLabels: { tier: 'front', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'canary'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['a'] },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.equal(m.toString(), 'app=web,env in (canary,prod),!legacy,owner,tier=front,zone notin (a)');
    assert.equal(m.matches({ app: 'web', tier: 'front', env: 'prod', owner: 'me' }), true);
    assert.equal(m.matches({ app: 'web', tier: 'front', env: 'dev', owner: 'me' }), false);
    assert.equal(m.matches({ app: 'web', tier: 'front', env: 'prod', owner: 'me', legacy: '' }), false);
    assert.equal(m.matches({ app: 'web', tier: 'front', env: 'prod', owner: 'me', zone: 'a' }), false);
    assert.equal(m.exact('app'), 'web');
  });
  const bad: Array<[object, string]> = [
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    [{ matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": ${NAME_PART}`],
  ];
  for (const [sel, message] of bad) {
    it(`rejects ${JSON.stringify(sel)}`, () => assert.throws(() => labelSelectorFromObject(sel), { name: 'BadRequestError', message }));
  }
});

describe('selectorFromSet', () => {
  it('requires every pair; {} matches everything', () => {
    assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
    assert.equal(selectorFromSet({ a: '1' }).matches({ a: '1', x: 'y' }), true);
    assert.equal(selectorFromSet({ a: '1' }).matches({ a: '2' }), false);
    assert.equal(selectorFromSet({}).matches({}), true);
  });
});
