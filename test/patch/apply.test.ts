/** Server-side apply: create, update, conflicts, force, shared ownership, field removal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError } from '../../src/api/errors.js';
import { applyCreate, applyPatch, recordUpdate, serverSideApply } from '../../src/api/patch/index.js';
import { assertFails, container as c, deepFreeze, deployment, DEPLOY } from './helpers.js';

type J = Record<string, any>;
const T1 = '2024-01-01T00:00:01Z', T2 = '2024-01-01T00:00:02Z', T3 = '2024-01-01T00:00:03Z';
const kubectl = (now = T1, force?: boolean) => ({ ...DEPLOY, manager: 'kubectl', now, force });

/** An apply configuration: a Deployment without namespace (kubectl sends what the file says). */
function config(podSpec: J, extra: Parameters<typeof deployment>[1] = {}): J {
  const d = deployment(podSpec, { ...extra, metadata: { labels: { app: 'd' }, ...(extra.metadata ?? {}) } }) as J;
  delete d.metadata.namespace;
  return deepFreeze(d);
}
const web = (image = 'nginx:1.25', extra: J = {}) => c('web', image, { ports: [{ containerPort: 80 }], ...extra });
const entries = (o: object): J[] => (o as J).metadata.managedFields;
const entry = (o: object, manager: string): J | undefined => entries(o).find(e => e.manager === manager);
const withoutMF = (o: object): J => { const x = structuredClone(o) as J; delete x.metadata.managedFields; return x; };

const WEB_FIELDS = {
  '.': {}, 'f:image': {}, 'f:name': {},
  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
};
const APPLY_FIELDS = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {}, 'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': WEB_FIELDS } },
    },
  },
};

test('apply: create records one Apply entry', () => {
  const cfg = config({ containers: [web()] });
  const got = applyCreate(cfg, kubectl());
  assert.deepEqual(withoutMF(got), cfg);
  assert.deepEqual(entries(got), [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: APPLY_FIELDS }]);
});

test('apply: update by the same manager, and a no-op keeps the time', () => {
  const live = deepFreeze(applyCreate(config({ containers: [web()] }), kubectl()));
  const next = serverSideApply(live, config({ containers: [web('nginx:1.26')] }), kubectl(T2)) as J;
  assert.equal(next.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.deepEqual(entries(next), [{ ...entries(live)[0], time: T2 }]);
  const again = serverSideApply(deepFreeze(next), config({ containers: [web('nginx:1.26')] }), kubectl(T3));
  assert.deepEqual(again, next);
});

/** A Deployment created by `kubectl apply` (client-side): one Update entry owns everything. */
function csaLive(replicas = 1): J {
  const obj = deployment({ containers: [web()] }, { replicas, metadata: { labels: { app: 'd' } } });
  return deepFreeze(recordUpdate(undefined, obj, 'kubectl-client-side-apply', 'apps/v1', 'Update', { now: T1 }) as J);
}

test('apply: conflict with a client-side-apply manager', () => {
  const e = assertFails(() => serverSideApply(csaLive(), config({ containers: [web()] }, { replicas: 3 }), kubectl(T2)), { status: 409, reason: 'Conflict' });
  assert.ok(e instanceof ConflictError);
  assert.deepEqual(e.toStatus(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict',
    message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] },
  });
});

test('apply: same values are shared, not conflicts', () => {
  const got = serverSideApply(csaLive(), config({ containers: [web()] }), kubectl(T2));
  assert.deepEqual(withoutMF(got), withoutMF(csaLive()));
  assert.ok(entry(got, 'kubectl-client-side-apply')!.fieldsV1['f:spec']['f:replicas']);
  assert.ok(entry(got, 'kubectl')!.fieldsV1['f:spec']['f:replicas']);
});

test('apply: force takes ownership', () => {
  const got = serverSideApply(csaLive(), config({ containers: [web('nginx:2')] }, { replicas: 3 }), kubectl(T2, true)) as J;
  assert.equal(got.spec.replicas, 3);
  assert.equal(got.spec.template.spec.containers[0].image, 'nginx:2');
  const csa = entry(got, 'kubectl-client-side-apply')!;
  assert.equal(csa.fieldsV1['f:spec']['f:replicas'], undefined);
  assert.equal(csa.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:image'], undefined);
  assert.equal(csa.time, T1);
  assert.deepEqual(entry(got, 'kubectl')!.fieldsV1, APPLY_FIELDS);
  assert.deepEqual(entries(got).map(e => e.operation), ['Apply', 'Update']);
});

test('apply: kubectl scale takes replicas; re-applying the old count conflicts, omitting it does not', () => {
  const applied = deepFreeze(applyCreate(config({ containers: [web()] }), kubectl()));
  const scaled = deepFreeze(recordUpdate(applied, { ...applied, spec: { ...(applied as J).spec, replicas: 5 } },
    'kubectl', 'apps/v1', 'Update', { now: T2, subresource: 'scale' }));
  assert.equal(entry(scaled, 'kubectl')!.fieldsV1['f:spec']['f:replicas'], undefined, 'the applier lost replicas');
  assertFails(() => serverSideApply(scaled, config({ containers: [web()] }), kubectl(T3)), {
    status: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
  });
  const cfg = config({ containers: [web()] }) as J;
  const noReplicas = structuredClone(cfg);
  delete noReplicas.spec.replicas;
  const got = serverSideApply(scaled, noReplicas, kubectl(T3)) as J;
  assert.equal(got.spec.replicas, 5);
});

test('apply: fields dropped from the configuration are removed', () => {
  const v1 = config({ containers: [web('nginx', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }), c('sidecar', 'busybox')] },
    { metadata: { labels: { app: 'd', tier: 'web' } }, spec: { strategy: { type: 'Recreate' } } });
  const live = deepFreeze(applyCreate(v1, kubectl()));
  const v2 = config({ containers: [web('nginx', { env: [{ name: 'A', value: '1' }] })] });
  const got = serverSideApply(live, v2, kubectl(T2)) as J;
  assert.deepEqual(withoutMF(got), v2);
  assert.deepEqual(entry(got, 'kubectl')!.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
});

test('apply: dropped fields another manager owns stay', () => {
  const v1 = config({ containers: [web('nginx', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })] },
    { metadata: { labels: { app: 'd', tier: 'web' } } });
  const live = deepFreeze(applyCreate(v1, kubectl()));
  // `kubectl set env` changes B and adds a sidecar: that manager now owns B's value and the sidecar.
  const edited = structuredClone(live) as J;
  edited.spec.template.spec.containers[0].env[1].value = '3';
  edited.spec.template.spec.containers.push(c('sidecar', 'busybox'));
  const live2 = deepFreeze(recordUpdate(live, edited, 'kubectl-set', 'apps/v1', 'Update', { now: T2 }));
  const v2 = config({ containers: [web('nginx:2', { env: [{ name: 'A', value: '1' }] })] });
  const got = serverSideApply(live2, v2, kubectl(T3)) as J;
  assert.deepEqual(got.spec.template.spec.containers, [
    web('nginx:2', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }] }),
    c('sidecar', 'busybox'),
  ]);
  assert.deepEqual(got.metadata.labels, { app: 'd' });
});

test('apply: associative lists merge by key, atomic lists are replaced', () => {
  const live = deepFreeze(recordUpdate(undefined,
    deployment({ containers: [c('sidecar', 'busybox'), web()], tolerations: [{ key: 'a', operator: 'Exists' }] }),
    'other', 'apps/v1', 'Update', { now: T1 }));
  const got = serverSideApply(live, config({ containers: [web('nginx:2')], tolerations: [{ key: 'b', operator: 'Exists' }] }), kubectl(T2, true)) as J;
  assert.deepEqual(got.spec.template.spec.containers, [c('sidecar', 'busybox'), web('nginx:2')]);
  assert.deepEqual(got.spec.template.spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
});

test('apply: two managers in one conflict message', () => {
  let live = csaLive() as object;
  const edited = structuredClone(live) as J;
  edited.metadata.labels.app = 'x';
  live = deepFreeze(recordUpdate(live, edited, 'kubectl-label', 'v1x', 'Update', { now: T2 }));
  const cfg = config({ containers: [web()] }, { replicas: 2, metadata: { labels: { app: 'y' } } });
  assertFails(() => serverSideApply(live, cfg, kubectl(T3)), {
    status: 409,
    message: 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n'
      + 'conflicts with "kubectl-label" using v1x:\n- .metadata.labels.app',
  });
});

test('apply: status is not applied through the main resource', () => {
  const live = deepFreeze({ ...applyCreate(config({ containers: [web()] }), kubectl()), status: { replicas: 1 } });
  const cfg = { ...config({ containers: [web()] }), status: { replicas: 9 } };
  const got = serverSideApply(live, cfg, kubectl(T2)) as J;
  assert.deepEqual(got.status, { replicas: 1 });
  assert.equal(entry(got, 'kubectl')!.fieldsV1['f:status'], undefined);
});

test('apply: through applyPatch with a YAML body', () => {
  const live = deepFreeze(applyCreate(config({ containers: [web()] }), kubectl()));
  const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: {app: d}\nspec:\n  replicas: 1\n'
    + '  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n'
    + '      - name: web\n        image: nginx:9\n        ports: [{containerPort: 80}]\n';
  const got = applyPatch('apply', live, yaml, kubectl(T2)) as J;
  assert.equal(got.spec.template.spec.containers[0].image, 'nginx:9');
});

const bad: { name: string; cfg: unknown; ctx?: object; status: number; message?: string | RegExp }[] = [
  { name: 'no field manager', cfg: config({ containers: [web()] }), ctx: { ...DEPLOY }, status: 422, message: /fieldManager: Required value: is required for apply patch/ },
  { name: 'wrong apiVersion', cfg: { ...config({}), apiVersion: 'apps/v1beta1' }, status: 400,
    message: 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1' },
  { name: 'managedFields in the body', cfg: { ...config({}), metadata: { name: 'd', managedFields: [] } }, status: 400, message: 'metadata.managedFields must be nil' },
  { name: 'duplicate list keys', cfg: config({ containers: [web(), web()] }), status: 400, message: /duplicate entries for key/ },
  { name: 'not an object', cfg: [1], status: 400 },
  { name: 'bad YAML', cfg: 'a: [', status: 400, message: /error decoding YAML/ },
];
for (const b of bad) {
  test(`apply: rejects ${b.name}`, () => {
    assertFails(() => applyPatch('apply', csaLive(), b.cfg, (b.ctx ?? kubectl()) as typeof DEPLOY), { status: b.status, message: b.message });
  });
}

test('force with a non-apply patch is 422', () => {
  assertFails(() => applyPatch('merge', csaLive(), {}, { ...DEPLOY, force: true }), { status: 422, message: /force: Forbidden/ });
});

test('apply: Service ports are keyed by port and protocol', () => {
  const svc = (ports: object[]) => deepFreeze({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'd' }, ports } });
  const ctx = { kind: 'Service', apiVersion: 'v1', manager: 'kubectl', now: T1 };
  const live = deepFreeze(applyCreate(svc([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP', name: 'dns-tcp' }]), ctx));
  assert.deepEqual(Object.keys(entry(live, 'kubectl')!.fieldsV1['f:spec']['f:ports']),
    ['k:{"port":53,"protocol":"TCP"}', 'k:{"port":53,"protocol":"UDP"}']);
  const got = serverSideApply(live, svc([{ port: 53, protocol: 'UDP' }]), { ...ctx, now: T2 }) as J;
  assert.deepEqual(got.spec.ports, [{ port: 53, protocol: 'UDP' }]);
  assert.deepEqual(entry(got, 'kubectl')!.fieldsV1['f:spec']['f:selector'], {}, 'atomic selector is one leaf');
});
