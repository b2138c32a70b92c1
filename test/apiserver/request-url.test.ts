/**
 * parseRequestUrl splits plain request targets by hand; whatever the target, it must give
 * the path and query parameters the WHATWG URL parser gives (or refuse what it refuses).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestUrl } from '../../src/apiserver/request-info.js';

function viaUrl(target: string): { pathname: string; params: [string, string][] } | undefined {
  try {
    const u = new URL(target, 'http://x');
    return { pathname: u.pathname, params: [...u.searchParams] };
  } catch {
    return undefined;
  }
}

function check(target: string): void {
  const got = parseRequestUrl(target);
  const want = viaUrl(target);
  assert.deepEqual(got && { pathname: got.pathname, params: [...got.searchParams] }, want, JSON.stringify(target));
}

describe('request URLs', () => {
  it('agree with the URL parser on typical and awkward targets', () => {
    for (const t of [
      '/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict',
      '/apis/apps/v1/deployments?labelSelector=app%3Dweb&limit=500', '/api/v1/pods?watch=1&resourceVersion=12&allowWatchBookmarks=true',
      '/api/v1/namespaces/default/pods/p?dryRun=All&dryRun=All', '/', '', '?a=b', '/x?', '/x?a', '/x?a=b+c', '/x?a=%zz', '/x?a=%41',
      '/x?a=b#frag', '/x#frag', '/x?a="q"&b=<>', "/x?a='", '/x?a=b c', '/x?é=ü', '/a/./b', '/a/../b', '/a/%2e%2e/b', '/a/.hidden',
      '//host/path', '/a//b', '/a\\b', '/a b', '/a%20b', '/a"b', '/a{b}', '/a`b', '/a^b', '/a|b', '/ü', '/api/v1/namespaces/default/pods/a:b@c',
      '/healthz?verbose', '/readyz/', '/api/v1/namespaces/default/pods/', '/x?a=1&&b=2&=3&c', '/x?a=\u0001',
    ]) check(t);
  });

  it('agree on random targets', () => {
    const alphabet = 'az09/?#&=+%.:@ !"\'<>\\`{}|^~-_;,éü\u0001';
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (let i = 0; i < 5000; i++) {
      let t = rnd(10) ? '/' : '';
      for (let j = rnd(24); j > 0; j--) t += alphabet[rnd(alphabet.length)];
      check(t);
    }
  });
});
