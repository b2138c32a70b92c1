/**
 * Real manifests through the real kubectl: every ../shared/examples file applies, and
 * every upstream docs manifest (../shared/corpus/k8s-website) is accepted by
 * `apply --dry-run=server` for the kinds kubeling serves, as kube-apiserver v1.32 would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RESOURCES, apiVersionOf } from '../../src/api/resources.js';
import { k, startTestServer, type TestServer } from './harness.js';
import { SHARED } from './paths.js';

const served = new Set(RESOURCES.map(r => `${apiVersionOf(r)}/${r.kind}`));

/** Files kube-apiserver v1.32 (or kubectl itself) refuses too, with the reason. */
const EXPECTED_REFUSALS: Record<string, RegExp> = {
  // a template with a shell placeholder, not a manifest
  'application/job/job-tmpl.yaml': /metadata\.name: Invalid value: "process-item-\$ITEM"/,
  // generateName: kubectl apply refuses it before asking the server
  'controllers/job-success-policy-example.yaml': /resource name may not be empty/,
  // not Kubernetes objects: kubectl refuses them
  'debug/custom-profile.yaml': /apiVersion not set/,
  'pods/inject/pod-single-secret-env-variable.yaml': /apiVersion not set/,
  'secret/serviceaccount/mysecretname.yaml': /cannot unmarshal array/,
  // wrong in every release: a preferred term under the required key (a list where a NodeSelector goes)
  'pods/pod-with-node-affinity.yaml': /cannot unmarshal array into Go struct field NodeAffinity\.spec\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution/,
  // wrong in every release: labelSelector/topologyKey belong under podAffinityTerm
  'deployments/deployment-with-capacity-reservation.yaml': /unknown field "spec\.template\.spec\.affinity\.podAntiAffinity\.preferredDuringSchedulingIgnoredDuringExecution\[0\]\.labelSelector"/,
  // fields and values added after v1.32
  'pods/emptydir-volume-mode.yaml': /unknown field "spec\.volumes\[0\]\.emptyDir\.mode"/,
  'pods/restart-policy/restart-all-containers.yaml': /unknown field "spec\.initContainers\[1\]\.restartPolicyRules"/,
  'pods/security/security-context-7.yaml': /unknown field "spec\.containers\[0\]\.securityContext\.cgroupOptions"/,
  'pods/storage/projected-podcertificate.yaml': /unknown field "spec\.volumes\[0\]\.projected\.sources\[0\]\.podCertificate"/,
  'pods/pod-with-numeric-toleration.yaml': /tolerations\[0\]\.operator: Unsupported value: "Gt"/,
  'pods/image-volumes-subpath.yaml': /subPath: Invalid value: "dir"/,
  // ephemeral containers are only added through their subresource
  'pods/security/seccomp/fields.yaml': /spec\.ephemeralContainers: Forbidden: cannot be set on create/,
  // the docs' placeholder certificate is not base64
  'secret/tls-auth-secret.yaml': /illegal base64 data/,
  // the pre-1.20 ipFamily field
  'service/networking/dual-stack-ipv6-lb-svc.yaml': /unknown field "spec\.ipFamily"/,
  'service/networking/dual-stack-ipv6-svc.yaml': /unknown field "spec\.ipFamily"/,
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.ya?ml$/.test(n)) out.push(p);
  }
  return out;
}

async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await f(items[i++]); }));
}

describe('manifests', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(); });
  after(async () => { await ts?.stop(); });

  it('every example applies cleanly', async () => {
    for (const f of walk(join(SHARED, 'examples'))) {
      const out = await k(ts, ['apply', '-f', f]);
      assert.match(out, /created|configured/, f);
    }
    const pods = await k(ts, ['get', 'pods', '-o', 'name']);
    assert.match(pods, /pod\/init-order/);
  });

  it('the docs corpus is accepted for every served kind', async () => {
    const root = join(SHARED, 'corpus', 'k8s-website');
    const files = walk(root);
    // Namespaces the manifests name must exist, as they would in a real cluster.
    const namespaces = new Set<string>();
    const parsed = new Map<string, Array<{ apiVersion?: string; kind?: string; metadata?: { namespace?: string } }>>();
    for (const f of files) {
      try {
        const docs = parseAllDocuments(readFileSync(f, 'utf8')).map(d => d.toJSON()).filter(Boolean);
        if (parseAllDocuments(readFileSync(f, 'utf8')).some(d => d.errors.length)) continue;
        parsed.set(f, docs);
        for (const d of docs) if (d?.metadata?.namespace) namespaces.add(d.metadata.namespace);
      } catch { /* unparsable: kubectl fails on these itself */ }
    }
    for (const ns of namespaces) await ts.kubectl(['create', 'namespace', ns]);
    const failures: string[] = [];
    let accepted = 0;
    await pool([...parsed.keys()], 3, async f => {
      const docs = parsed.get(f)!;
      const unserved = docs.filter(d => !served.has(`${d.apiVersion}/${d.kind}`));
      const r = await ts.kubectl(['apply', '--dry-run=server', '-f', f]);
      const rel = relative(root, f);
      const errLines = r.stderr.split('\n').filter(l => l.trim() && !/^Warning:/.test(l));
      const unexpected = errLines.filter(l => !/no matches for kind|ensure CRDs are installed first/.test(l));
      if (unexpected.length && !(EXPECTED_REFUSALS[rel]?.test(r.stderr))) failures.push(`${rel}: ${unexpected.join(' | ')}`);
      else if (unserved.length === 0) accepted++;
    });
    assert.deepEqual(failures, []);
    assert.ok(accepted > 200, `accepted ${accepted}`);
  });
});
