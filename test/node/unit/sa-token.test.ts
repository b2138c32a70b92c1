/** Token renewal timing (the kubelet token manager's rule) and the issuer's checks on expiry, audience and issuer. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renewAt } from '../../../src/node/volumes/sa-token.js';
import { ensureServiceAccountKey, ServiceAccountTokens } from '../../../src/apiserver/index.js';

describe('service-account tokens', () => {
  it('are renewed at 80% of their life, or after 24 h for long ones, minus jitter', () => {
    const now = 1_000_000_000;
    assert.equal(renewAt(now, 3600, now + 3600_000, 0), now + 2880_000);
    assert.equal(renewAt(now, 3600, now + 3600_000, 5000), now + 2875_000);
    const year = 365 * 24 * 3600;
    assert.equal(renewAt(now, year, now + year * 1000, 0), now + 24 * 3600_000);
  });

  it('verify only their own, unexpired tokens for the API audience', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeling-sa-'));
    try {
      const key = await ensureServiceAccountKey(dir);
      assert.deepEqual(await ensureServiceAccountKey(dir), key, 'made once, then reused');
      const t = new ServiceAccountTokens(key);
      const claims = (o: Partial<Parameters<ServiceAccountTokens['claims']>[0]> = {}) => t.claims({
        audiences: t.audiences, expirationSeconds: 600, private: { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u' } }, ...o,
      });
      const good = t.sign(claims());
      assert.equal(t.verify(good)?.sub, 'system:serviceaccount:ns:sa');
      assert.equal(t.verify(good, Date.now() + 659_000)?.sub, 'system:serviceaccount:ns:sa', 'within the 60 s leeway');
      assert.equal(t.verify(good, Date.now() + 700_000), undefined, 'expired');
      assert.equal(t.verify(t.sign(claims({ audiences: ['vault'] }))), undefined, 'other audience');
      assert.equal(new ServiceAccountTokens(key, { issuer: 'https://other' }).verify(good), undefined, 'other issuer');
      mkdirSync(join(dir, 'x'));
      const other = new ServiceAccountTokens(await ensureServiceAccountKey(join(dir, 'x')));
      assert.equal(other.verify(good), undefined, 'other key');
      assert.equal(t.verify('not.a.jwt'), undefined);
      assert.equal(t.verify('x'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
