import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobuf, isProtobufContentType } from '../../src/api/protobuf/index.js';
import { envelope, msg, objectMeta, packed, type Field } from './encoder.js';

const decode = (apiVersion: string, kind: string, ...fields: Field[]) =>
  decodeProtobuf(envelope(apiVersion, kind, msg(...fields))).object;

/** Container {1 name, 2 image, 6 ports {3 containerPort}, 8 resources}, value fields written as Go does. */
const container = (name: string, image: string, extra: Field[] = []): Field[] => [
  [1, name], [2, image], [5, ''], ...extra, [8, []], [13, ''], [14, ''], [16, false], [17, false], [18, false], [20, ''],
];

test('Namespace: empty value fields vanish, struct fields stay as {}', () => {
  assert.deepEqual(decode('v1', 'Namespace', [1, objectMeta('ns1')], [2, []], [3, [[1, '']]]), {
    apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' }, spec: {}, status: {},
  });
});

test('Deployment as `kubectl create deployment web --image=nginx --replicas=2 --port=80` sends it', () => {
  const labels = { app: 'web' };
  const got = decode('apps/v1', 'Deployment',
    [1, objectMeta('web', 'default', labels)],
    [2, [
      [1, 2], // replicas
      [2, [[1, [[1, 'app'], [2, 'web']]]]], // selector.matchLabels
      [3, [[1, objectMeta('', '', labels)], [2, [ // template
        [2, container('nginx', 'nginx', [[6, [[1, ''], [2, 0], [3, 80], [4, ''], [5, '']]]])],
        [3, ''], [6, ''], [8, ''], [11, false],
      ]]]],
      [4, [[1, '']]], [5, 0], [7, false], // strategy, minReadySeconds, paused
    ]],
    [3, [[1, 0], [2, 0]]]);
  assert.deepEqual(got, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels },
    spec: {
      replicas: 2, selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] } },
      strategy: {},
    },
    status: {},
  });
});

test('pointer fields keep zero values, value fields drop them', () => {
  const got = decode('apps/v1', 'Deployment', [1, objectMeta('d')], [2, [[1, 0], [5, 0], [7, false]]]);
  assert.deepEqual(got.spec, { replicas: 0 });
});

test('Secret: bytes map values become base64, immutable=false is kept', () => {
  const got = decode('v1', 'Secret', [1, objectMeta('s1', 'default')],
    [2, [[1, 'bin'], [2, Uint8Array.from([0, 1, 2, 255])]]],
    [2, [[1, 'empty'], [2, new Uint8Array(0)]]],
    [2, [[1, 'nothing']]], // value missing: Go gives []byte{} -> ""
    [3, 'Opaque'], [4, [[1, 'plain'], [2, 'text']]], [5, false]);
  assert.deepEqual(got, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' },
    data: { bin: 'AAEC/w==', empty: '', nothing: '' }, type: 'Opaque', stringData: { plain: 'text' }, immutable: false,
  });
});

test('ConfigMap: string and binary data, empty values kept inside maps', () => {
  const got = decode('v1', 'ConfigMap', [1, objectMeta('cm1', 'default')],
    [2, [[1, 'a'], [2, '1']]], [2, [[1, 'empty'], [2, '']]], [2, [[1, 'a'], [2, 'last wins']]],
    [3, [[1, 'blob'], [2, Uint8Array.from([0xde, 0xad])]]]);
  assert.deepEqual(got, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'default' },
    data: { a: 'last wins', empty: '' }, binaryData: { blob: '3q0=' },
  });
});

test('Service: targetPort as int, as string, and unset', () => {
  const port = (name: string, p: number, target: Field[]): Field => [1, [[1, name], [2, 'TCP'], [3, p], [4, target], [5, 0]]];
  const got = decode('v1', 'Service', [1, objectMeta('svc', 'default')],
    [2, [
      port('web', 80, [[1, 0], [2, 8080], [3, '']]),
      port('dns', 53, [[1, 1], [2, 0], [3, 'dns']]),
      port('same', 443, [[1, 0], [2, 0], [3, '']]),
      [2, [[1, 'app'], [2, 'svc']]], [3, 'None'], [4, 'ClusterIP'], [12, 0], [13, false],
    ]],
    [3, [[1, []]]]);
  assert.deepEqual(got.spec, {
    ports: [
      { name: 'web', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'dns', protocol: 'TCP', port: 53, targetPort: 'dns' },
      { name: 'same', protocol: 'TCP', port: 443 },
    ],
    selector: { app: 'svc' }, clusterIP: 'None', type: 'ClusterIP',
  });
  assert.deepEqual(got.status, { loadBalancer: {} });
});

test('Job: pointer zeros, negative int32, packed and unpacked repeated ints', () => {
  const got = decode('batch/v1', 'Job', [1, objectMeta('j1', 'default')], [2, [
    [1, 1], [2, 3], [7, 0], // parallelism, completions, backoffLimit=0 (must survive)
    [6, [[1, objectMeta('')], [2, [
      [2, container('j1', 'busybox', [[3, 'echo'], [3, 'hi']])], [3, 'Never'], [25, -5],
    ]]]],
    [11, [[1, [[1, 'FailJob'], [2, [[2, 'In'], [3, 1], [3, 2], [3, packed([42, 137])]]]]]]],
  ]]);
  assert.deepEqual(got.spec, {
    parallelism: 1, completions: 3, backoffLimit: 0,
    template: { metadata: {}, spec: { containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never', priority: -5 } },
    podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2, 42, 137] } }] },
  });
});

test('CronJob: schedule, suspend=false, job template, time zone', () => {
  const got = decode('batch/v1', 'CronJob', [1, objectMeta('cj1', 'default')], [2, [
    [1, '*/5 * * * *'], [3, 'Forbid'], [4, false],
    [5, [[1, objectMeta('cj1')], [2, [[6, [[1, objectMeta('')], [2, [[2, container('cj1', 'busybox')], [3, 'OnFailure']]]]]]]]],
    [6, 3], [8, 'Europe/Paris'],
  ]], [3, []]);
  assert.deepEqual(got, {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj1', namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', suspend: false,
      jobTemplate: { metadata: { name: 'cj1' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'cj1', image: 'busybox', resources: {} }], restartPolicy: 'OnFailure' } } } },
      successfulJobsHistoryLimit: 3, timeZone: 'Europe/Paris',
    },
    status: {},
  });
});

test('inline structs flatten: volume sources, key selectors, probe handlers; quantities stay strings', () => {
  const got = decode('v1', 'Pod', [1, objectMeta('p')], [2, [
    [1, [[1, 'cfg'], [2, [[19, [[1, [[1, 'my-cm']]], [3, 420]]]]]]], // volumes[0].configMap
    [1, [[1, 'tmp'], [2, [[2, [[1, 'Memory'], [2, [[1, '64Mi']]]]]]]]], // emptyDir.sizeLimit
    [2, container('c', 'nginx', [
      [7, [[1, 'K'], [3, [[4, [[1, [[1, 'sec']]], [2, 'key']]]]]]], // env valueFrom.secretKeyRef
      [10, [[1, [[2, [[1, '/healthz'], [2, [[1, 1], [3, 'http']]]]]]], [3, 5]]], // livenessProbe.httpGet
    ]).map((f): Field => f[0] === 8 ? [8, [[1, [[1, 'cpu'], [2, [[1, '500m']]]]], [2, [[1, 'memory'], [2, []]]]]] : f)],
  ]]);
  const spec = got.spec as Record<string, unknown>;
  assert.deepEqual(spec.volumes, [
    { name: 'cfg', configMap: { name: 'my-cm', defaultMode: 420 } },
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
  ]);
  assert.deepEqual(spec.containers, [{
    name: 'c', image: 'nginx',
    env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'sec', key: 'key' } } }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 5 },
    resources: { limits: { cpu: '500m' }, requests: { memory: '0' } },
  }]);
});

test('Time is RFC 3339 in seconds, MicroTime keeps microseconds, the zero time is left out', () => {
  const lease = decode('coordination.k8s.io/v1', 'Lease', [1, objectMeta('l', 'kube-node-lease')], [2, [
    [1, 'node-1'], [2, 40], [3, [[1, 1704164645], [2, 123456789]]], [4, []], [5, 0],
  ]]);
  assert.deepEqual(lease.spec, { holderIdentity: 'node-1', leaseDurationSeconds: 40, acquireTime: '2024-01-02T03:04:05.123456Z', leaseTransitions: 0 });
  const ev = decode('events.k8s.io/v1', 'Event', [1, objectMeta('e', 'default')], [2, []], [7, 'Started'],
    [13, [[1, 1704164645], [2, 999999999]]], [14, [[1, 0], [2, 0]]], [15, 0]);
  assert.deepEqual(ev, {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' },
    reason: 'Started', deprecatedFirstTimestamp: '2024-01-02T03:04:05Z',
  });
});

test('RawExtension holds JSON or a nested protobuf object', () => {
  const json = decode('apps/v1', 'ControllerRevision', [1, objectMeta('r')], [2, [[1, '{"spec":{"x":1}}']]], [3, 2]);
  assert.deepEqual(json, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { x: 1 } }, revision: 2 });
  const inner = envelope('v1', 'ConfigMap', msg([1, objectMeta('inner')], [2, [[1, 'k'], [2, 'v']]]));
  const nested = decode('apps/v1', 'ControllerRevision', [1, objectMeta('r')], [2, [[1, inner]]]);
  assert.deepEqual(nested.data, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner' }, data: { k: 'v' } });
});

test('unknown field numbers of every wire type are skipped', () => {
  const extra = Uint8Array.from([0xb8, 0x3e, 0x01, 0xb9, 0x3e, 1, 2, 3, 4, 5, 6, 7, 8, 0xbd, 0x3e, 1, 2, 3, 4]);
  const body = Buffer.concat([msg([1, objectMeta('ns1')]), extra, msg([999, 'ignored'])]);
  assert.deepEqual(decodeProtobuf(envelope('v1', 'Namespace', body)).object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
});

test('returns apiVersion and kind from the envelope', () => {
  const d = decodeProtobuf(envelope('policy/v1', 'PodDisruptionBudget', msg([2, [[1, [[1, 0], [3, '50%']]]]])));
  assert.equal(d.apiVersion, 'policy/v1');
  assert.equal(d.kind, 'PodDisruptionBudget');
  assert.deepEqual(d.object.spec, { minAvailable: 0 }); // type=0 (int): the strVal is ignored, as in Go
});

test('isProtobufContentType', () => {
  assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf'), true);
  assert.equal(isProtobufContentType('Application/VND.Kubernetes.Protobuf; charset=utf-8'), true);
  assert.equal(isProtobufContentType('application/json'), false);
  assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf+json'), false);
  assert.equal(isProtobufContentType(''), false);
});
