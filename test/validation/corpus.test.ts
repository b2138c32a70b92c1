/**
 * Every manifest in shared/examples and the kubernetes/website corpus must default and
 * validate cleanly, except the few that kube-apiserver v1.32 itself rejects (listed below
 * with the fields it complains about).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { findByKind } from '../../src/api/resources.js';
import { createErrors, fields, type Obj } from './helpers.js';

const SHARED = process.env.KUBELING_SHARED ?? '/work/shared';
const ROOTS = [join(SHARED, 'examples'), join(SHARED, 'corpus/k8s-website')];

/** file (relative to SHARED) → kind/name → fields v1.32 rejects, and why. */
const UPSTREAM_REJECTS: Record<string, { fields: string[]; why: string }> = {
  'corpus/k8s-website/application/job/job-tmpl.yaml': { fields: ['metadata.name', 'spec.template.labels'], why: '$ITEM placeholder is meant to be substituted first' },
  'corpus/k8s-website/controllers/job-success-policy-example.yaml': { fields: ['metadata.name', 'spec.template.spec.restartPolicy'], why: 'snippet without a name or restartPolicy' },
  'corpus/k8s-website/deployments/deployment-with-capacity-reservation.yaml': {
    fields: ['spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey',
      'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight'],
    why: 'weighted term written without weight/podAffinityTerm',
  },
  'corpus/k8s-website/pods/image-volumes-subpath.yaml': { fields: ['spec.containers[0].volumeMounts[0].subPath'], why: 'subPath on image volumes arrived after v1.32' },
  'corpus/k8s-website/pods/pod-with-numeric-toleration.yaml': { fields: ['spec.tolerations[0].operator'], why: 'numeric toleration operators arrived after v1.32' },
  'corpus/k8s-website/pods/security/seccomp/fields.yaml': { fields: ['spec.ephemeralContainers'], why: 'ephemeral containers cannot be set on create' },
  'corpus/k8s-website/secret/serviceaccount/mysecretname.yaml': { fields: ['metadata.annotations[kubernetes.io/service-account.name]'], why: 'annotations written as a list' },
  'corpus/k8s-website/secret/tls-auth-secret.yaml': { fields: ['data[tls.crt]', 'data[tls.key]'], why: 'placeholders are not base64' },
};

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

/** What the API server does before validating: namespace from the URL, a generated name. */
function asSubmitted(o: Obj, namespaced: boolean): Obj {
  const m = (o.metadata ??= {});
  if (namespaced && !m.namespace) m.namespace = 'default';
  if (!m.name && m.generateName) m.name = `${m.generateName}x7k2p`;
  return o;
}

const files = ROOTS.flatMap(yamlFiles);

test('corpus: manifests are present', { skip: files.length === 0 && 'shared corpus not found' }, () => {
  assert.ok(files.length > 300, `found ${files.length} files`);
});

for (const file of files) {
  const rel = relative(SHARED, file);
  test(`corpus: ${rel}`, () => {
    const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'));
    if (docs.some(d => d.errors.length)) return; // the 3 files kubectl cannot parse either
    const got: string[] = [];
    for (const doc of docs) {
      const o = doc.toJS() as Obj | null;
      if (!o?.kind) continue;
      const ri = findByKind(String(o.apiVersion), String(o.kind));
      if (!ri) continue; // kinds kubeling does not serve
      got.push(...fields(createErrors(asSubmitted(o, ri.namespaced))));
    }
    const want = UPSTREAM_REJECTS[rel]?.fields ?? [];
    assert.deepEqual([...new Set(got)].sort(), [...want].sort());
  });
}
