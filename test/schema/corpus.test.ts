/**
 * No false positives: every manifest in shared/corpus/k8s-website (the Kubernetes docs'
 * examples) and shared/examples whose kind kubeling serves is free of unknown fields, except
 * the few written for other releases, which kube-apiserver v1.32 refuses too.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { findUnknownFields } from '../../src/api/schema/index.js';
import { findByKind } from '../../src/api/resources.js';

const shared = fileURLToPath(new URL('../../../../shared/', import.meta.url));

/** Files that are not valid YAML (tabs, a bad escape); kubectl fails on them too. */
const UNPARSEABLE = [
  'corpus/k8s-website/controllers/job-pod-failure-policy-ignore.yaml',
  'corpus/k8s-website/pods/inject/envars-file-container.yaml',
  'corpus/k8s-website/pods/inject/pod-multiple-secret-env-variable.yaml',
];

/** Fields v1.32 does not have: older (ipFamily), newer (1.33+ features), or a docs mistake. */
const EXPECTED: Record<string, string[]> = {
  'corpus/k8s-website/service/networking/dual-stack-ipv6-lb-svc.yaml': ['.spec.ipFamily'],
  'corpus/k8s-website/service/networking/dual-stack-ipv6-svc.yaml': ['.spec.ipFamily'],
  'corpus/k8s-website/pods/emptydir-volume-mode.yaml': ['.spec.volumes[0].emptyDir.mode'],
  'corpus/k8s-website/pods/restart-policy/restart-all-containers.yaml': ['.spec.initContainers[1].restartPolicyRules'],
  'corpus/k8s-website/pods/security/security-context-7.yaml': ['.spec.containers[0].securityContext.cgroupOptions'],
  'corpus/k8s-website/pods/storage/projected-podcertificate.yaml': ['.spec.volumes[0].projected.sources[0].podCertificate'],
  // preferredDuringScheduling... items need podAffinityTerm: the example is wrong for every release.
  'corpus/k8s-website/deployments/deployment-with-capacity-reservation.yaml': [
    '.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].labelSelector',
    '.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].topologyKey',
  ],
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

it('finds no unknown fields in the docs examples beyond the expected ones', (t) => {
  if (!existsSync(join(shared, 'corpus/k8s-website'))) return t.skip('shared/corpus is not beside the checkout');
  const files = [...yamlFiles(join(shared, 'corpus/k8s-website')), ...yamlFiles(join(shared, 'examples'))];
  const unparseable: string[] = [];
  const found: Record<string, string[]> = {};
  let checked = 0;
  for (const file of files) {
    const name = relative(shared, file);
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    if (!Array.isArray(docs) || docs.some(d => d.errors.length > 0)) { unparseable.push(name); continue; }
    for (const doc of docs) {
      const obj = doc.toJS() as { apiVersion?: string; kind?: string } | null;
      if (!obj?.apiVersion || !obj.kind || !findByKind(obj.apiVersion, obj.kind)) continue;
      checked++;
      const unknown = findUnknownFields(obj.apiVersion, obj.kind, obj);
      if (unknown.length) found[name] = [...(found[name] ?? []), ...unknown];
    }
  }
  assert.deepEqual(unparseable.sort(), UNPARSEABLE);
  assert.deepEqual(found, EXPECTED);
  assert.ok(checked > 300, `checked ${checked} objects`);
});
