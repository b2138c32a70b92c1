/** Server-side field validation against the generated schemas. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fieldProblems, findUnknownFields, kindSchema, objectSchema, parseJsonStrict, parseYamlStrict, strictDecodingMessage,
} from '../../src/api/schema/index.js';

const pod = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { 'app.kubernetes.io/name': 'x' } },
  spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec },
});

describe('findUnknownFields', () => {
  const cases: Array<{ name: string; apiVersion: string; kind: string; obj: unknown; want: string[] }> = [
    { name: 'clean pod', apiVersion: 'v1', kind: 'Pod', obj: pod({ resources: { limits: { cpu: 1, memory: '1Gi' } } }), want: [] },
    { name: 'typo at the top', apiVersion: 'v1', kind: 'Pod', obj: { ...pod({}), specc: {} }, want: ['.specc'] },
    { name: 'typo in a container', apiVersion: 'v1', kind: 'Pod', obj: pod({ imagee: 'x' }), want: ['.spec.containers[0].imagee'] },
    { name: 'case matters', apiVersion: 'v1', kind: 'Pod', obj: pod({ Image: 'x' }), want: ['.spec.containers[0].Image'] },
    { name: 'typo in metadata', apiVersion: 'v1', kind: 'Pod', obj: { ...pod({}), metadata: { name: 'p', lables: {} } }, want: ['.metadata.lables'] },
    { name: 'an unknown field is not descended into', apiVersion: 'v1', kind: 'Pod', obj: pod({}, { extra: { deeper: 1 } }), want: ['.spec.extra'] },
    { name: 'null known field', apiVersion: 'v1', kind: 'Pod', obj: pod({ env: null }), want: [] },
    {
      name: 'deployment template', apiVersion: 'apps/v1', kind: 'Deployment',
      obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {
        replicas: 2, selector: { matchLabels: { a: 'b' } }, strategy: { rollingUpdate: { maxSurge: '25%' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocl: 'TCP' }] }] } },
      } },
      want: ['.spec.template.spec.containers[0].ports[0].protocl'],
    },
    {
      name: 'opaque RawExtension and FieldsV1', apiVersion: 'apps/v1', kind: 'ControllerRevision',
      obj: { metadata: { name: 'r', managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} } } }] }, revision: 1, data: { anything: { at: 'all' } } },
      want: [],
    },
    { name: 'maps of strings', apiVersion: 'v1', kind: 'ConfigMap', obj: { metadata: { name: 'c', annotations: { any: 'x' } }, data: { whatever: 'v' } }, want: [] },
    { name: 'kind without a schema', apiVersion: 'example.com/v1', kind: 'Widget', obj: { surely: 'unknown' }, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(findUnknownFields(c.apiVersion, c.kind, c.obj), c.want));
  }
});

describe('fieldProblems and upstream wording', () => {
  it('interleaves unknown and duplicate fields of a JSON body in document order', () => {
    const body = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","name":"b"},' +
      '"spec":{"unknown1":1,"unknownDupe":1,"unknownDupe":2,"paused":true,"paused":false,' +
      '"template":{"spec":{"containers":[{"name":"c","unknownNested":1,"imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}';
    const parsed = parseJsonStrict(body);
    const problems = fieldProblems('apps/v1', 'Deployment', parsed);
    assert.deepEqual(problems, [
      'duplicate field "metadata.name"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
      'duplicate field "spec.paused"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    ]);
    assert.equal(strictDecodingMessage('apps/v1', 'Deployment', problems.slice(0, 2)),
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.name", unknown field "spec.unknown1"');
  });

  it('reports YAML repeated keys by line, then unknown fields', () => {
    const parsed = parseYamlStrict('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: c\n    imagee: x\n');
    assert.deepEqual(fieldProblems('v1', 'Pod', parsed), ['line 5: key "name" already set in map', 'unknown field "spec.containers[0].imagee"']);
  });
});

describe('schema lookup', () => {
  it('exposes patch metadata for strategic merge patch', () => {
    const spec = objectSchema('io.k8s.api.core.v1.PodSpec')!;
    assert.deepEqual(spec.fields.get('containers'), {
      type: { kind: 'list', items: { kind: 'object', name: 'io.k8s.api.core.v1.Container' } },
      patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'],
    });
    assert.equal(kindSchema('apps/v1', 'Deployment')?.name, 'io.k8s.api.apps.v1.Deployment');
    assert.equal(kindSchema('v1', 'DeleteOptions')?.name, 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    assert.equal(kindSchema('v1', 'Nope'), undefined);
  });
});
