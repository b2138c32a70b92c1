/** --cluster-domain reaches pods: their DNS search path and subdomain FQDN use it (default cluster.local). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { sandboxConfig } from '../../src/node/containers/sandbox-config.js';

const pod: Pod = {
  metadata: { name: 'db-0', namespace: 'shop', uid: 'u1' },
  spec: { hostname: 'db-0', subdomain: 'db', containers: [{ name: 'c', image: 'busybox' }] },
};
const dns: Service = { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.43.0.10' } };

describe('cluster domain in pod sandboxes', () => {
  it('defaults to cluster.local', () => {
    const c = sandboxConfig(pod, 0, dns);
    assert.deepEqual(c.dns?.searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    assert.equal(c.fqdn, 'db-0.db.shop.svc.cluster.local');
  });

  it('follows the configured domain', () => {
    const c = sandboxConfig(pod, 0, dns, 'kl.test');
    assert.deepEqual(c.dns, { servers: ['10.43.0.10'], searches: ['shop.svc.kl.test', 'svc.kl.test', 'kl.test'], options: ['ndots:5'] });
    assert.equal(c.fqdn, 'db-0.db.shop.svc.kl.test');
  });
});
