/** The generated OpenAPI v3 documents, checked the way kubectl 1.32 reads them. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { openapiV3Doc, openapiV3Hash, openapiV3Root } from '../../src/apiserver/openapi/index.js';
import { RESOURCES, apiVersionOf, groupVersions } from '../../src/api/resources.js';

interface Gvk { group: string; version: string; kind: string }
interface Op { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, unknown> }; 'x-kubernetes-action'?: string; 'x-kubernetes-group-version-kind'?: Gvk }
interface Doc {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, Schema> };
}
interface Schema { properties?: Record<string, Record<string, unknown>>; required?: string[]; 'x-kubernetes-group-version-kind'?: Gvk[]; [k: string]: unknown }

const keyOf = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
const parsed = new Map<string, Doc>();
const doc = (key: string): Doc => {
  if (!parsed.has(key)) parsed.set(key, JSON.parse(openapiV3Doc(key)!.toString('utf8')) as Doc);
  return parsed.get(key)!;
};
const schemaWithGvk = (d: Doc, g: Gvk) => Object.entries(d.components.schemas).find(([, s]) =>
  s['x-kubernetes-group-version-kind']?.some(x => x.group === g.group && x.version === g.version && x.kind === g.kind));

describe('openapi v3 root', () => {
  it('lists one document per served group-version, addressed by its hash', () => {
    const root = openapiV3Root();
    assert.deepEqual(Object.keys(root.paths).sort(), groupVersions().map(g => keyOf(g.group, g.version)).sort());
    for (const [key, { serverRelativeURL }] of Object.entries(root.paths)) {
      const hash = createHash('sha512').update(openapiV3Doc(key)!).digest('hex').toUpperCase();
      assert.equal(serverRelativeURL, `/openapi/v3/${key}?hash=${hash}`);
      assert.equal(openapiV3Hash(key), hash);
    }
  });

  it('answers undefined for unknown documents and caches the bytes', () => {
    assert.equal(openapiV3Doc('apis/nope/v1'), undefined);
    assert.equal(openapiV3Hash('apis/nope/v1'), undefined);
    assert.equal(openapiV3Doc('api/v1'), openapiV3Doc('api/v1'));
  });
});

describe('openapi v3 documents', () => {
  it('give every served kind and list a schema tagged with its GVK', () => {
    for (const r of RESOURCES) {
      const d = doc(keyOf(r.group, r.version));
      // Create-only kinds (SelfSubjectReview) have no list.
      for (const kind of r.verbs.includes('list') ? [r.kind, r.listKind] : [r.kind]) {
        assert.ok(schemaWithGvk(d, { group: r.group, version: r.version, kind }), `${apiVersionOf(r)} ${kind}`);
      }
    }
  });

  // kubectl's QueryParamVerifierV3 takes the first PATCH op it meets with the GVK (Go map
  // order), so every such op must take fieldValidation; apply wants strategic merge patch.
  it('give every served kind PATCH ops with fieldValidation and all four patch types', () => {
    for (const r of RESOURCES.filter(x => x.verbs.includes('patch'))) {
      const d = doc(keyOf(r.group, r.version));
      const ops = Object.values(d.paths).map(p => p.patch).filter((op): op is Op => {
        const g = op?.['x-kubernetes-group-version-kind'];
        return !!g && g.group === r.group && g.version === r.version && g.kind === r.kind;
      });
      assert.ok(ops.length >= 1, `${r.kind} has a PATCH op`);
      for (const op of ops) {
        assert.equal(op['x-kubernetes-action'], 'patch');
        assert.ok(op.parameters?.some(p => p.name === 'fieldValidation' && p.in === 'query'), `${r.kind} fieldValidation`);
        assert.deepEqual(Object.keys(op.requestBody!.content).sort(), ['application/apply-patch+yaml',
          'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
      }
    }
  });

  it('carry x-kubernetes-action and an object GVK on every operation', () => {
    for (const { group, version } of groupVersions()) {
      for (const [path, item] of Object.entries(doc(keyOf(group, version)).paths)) {
        for (const [method, op] of Object.entries(item)) {
          if (method === 'parameters' || path.endsWith(`/${version}/`)) continue;
          assert.ok(op['x-kubernetes-action'], `${method} ${path}`);
          assert.equal(typeof op['x-kubernetes-group-version-kind']?.kind, 'string', `${method} ${path}`);
        }
      }
    }
  });

  it('resolve every $ref inside the same document', () => {
    for (const { group, version } of groupVersions()) {
      const text = openapiV3Doc(keyOf(group, version))!.toString('utf8');
      const names = new Set(Object.keys(doc(keyOf(group, version)).components.schemas));
      for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(names.has(name), name);
    }
  });

  it('describe Pod with merge keys, list types and required fields', () => {
    const s = doc('api/v1').components.schemas;
    assert.deepEqual(s['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    const spec = s['io.k8s.api.core.v1.PodSpec'];
    assert.deepEqual(spec.required, ['containers']);
    for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
      assert.equal(spec.properties![list]['x-kubernetes-patch-merge-key'], 'name', list);
      assert.equal(spec.properties![list]['x-kubernetes-patch-strategy'], 'merge', list);
      assert.equal(spec.properties![list]['x-kubernetes-list-type'], 'map', list);
    }
    assert.equal(spec.properties!.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
    const ports = s['io.k8s.api.core.v1.Container'].properties!.ports;
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.match(String(s['io.k8s.api.core.v1.Container'].properties!.image.description), /Container image name/);
    assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties!.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  });

  it('spell Quantity, IntOrString and Time as upstream does', () => {
    const s = doc('apis/apps/v1').components.schemas;
    assert.deepEqual(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
    const ios = s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
    assert.equal(ios.format, 'int-or-string');
    assert.deepEqual(ios.oneOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
    const rolling = s['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties!.maxSurge;
    assert.deepEqual(rolling.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
    assert.equal(s['io.k8s.api.apps.v1.DeploymentSpec'].properties!.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
    assert.equal(s['io.k8s.api.apps.v1.DeploymentSpec'].properties!.replicas.format, 'int32');
  });

  it('describe the scale subresource with autoscaling/v1 Scale', () => {
    const d = doc('apis/apps/v1');
    const patch = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.ok(schemaWithGvk(d, { group: 'autoscaling', version: 'v1', kind: 'Scale' }));
  });
});
