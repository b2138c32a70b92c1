/** The real kubectl against a real kubeling server: the everyday verbs. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { k, startTestServer, type TestServer } from './harness.js';

const cm = (data: Record<string, string>) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: demo}
data:
${Object.entries(data).map(([a, b]) => `  ${a}: "${b}"`).join('\n')}
`;

const deploy = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: ${image}
        ports: [{containerPort: 80}]
      - name: side
        image: busybox
`;

describe('kubectl basics', () => {
  let ts: TestServer;
  before(async () => { ts = await startTestServer(); });
  after(async () => { await ts?.stop(); });

  it('serves version and discovery', async () => {
    const v = JSON.parse(await k(ts, ['version', '-o', 'json']));
    assert.equal(v.serverVersion.minor, '32');
    const res = await k(ts, ['api-resources']);
    for (const r of ['pods', 'deployments', 'leases', 'endpointslices', 'priorityclasses']) assert.match(res, new RegExp(`^${r}\\s`, 'm'));
    assert.match(await k(ts, ['get', 'ns']), /kube-system\s+Active/);
  });

  it('apply creates, patches a change, and is a no-op when unchanged', async () => {
    const f = join(ts.dataDir, 'cm.yaml');
    writeFileSync(f, cm({ a: '1' }));
    assert.match(await k(ts, ['apply', '-f', f]), /configmap\/settings created/);
    writeFileSync(f, cm({ a: '2', b: '3' }));
    assert.match(await k(ts, ['apply', '-f', f]), /configmap\/settings configured/);
    assert.match(await k(ts, ['apply', '-f', f]), /configmap\/settings unchanged/);
    const got = JSON.parse(await k(ts, ['get', 'cm', 'settings', '-o', 'json']));
    assert.deepEqual(got.data, { a: '2', b: '3' });
  });

  it('apply of a deployment patches one container by merge key', async () => {
    const f = join(ts.dataDir, 'deploy.yaml');
    writeFileSync(f, deploy('nginx:1.25'));
    await k(ts, ['apply', '-f', f]);
    writeFileSync(f, deploy('nginx:1.26'));
    await k(ts, ['apply', '-f', f]);
    const d = JSON.parse(await k(ts, ['get', 'deploy', 'web', '-o', 'json']));
    assert.deepEqual(d.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`), ['main=nginx:1.26', 'side=busybox']);
    assert.equal(d.metadata.generation, 2);
  });

  it('apply --server-side creates and updates with managed fields', async () => {
    const f = join(ts.dataDir, 'ssa.yaml');
    writeFileSync(f, cm({ x: '1' }).replace('settings', 'ssa'));
    assert.match(await k(ts, ['apply', '--server-side', '-f', f]), /serverside-applied/);
    writeFileSync(f, cm({ x: '2' }).replace('settings', 'ssa'));
    await k(ts, ['apply', '--server-side', '-f', f]);
    const got = JSON.parse(await k(ts, ['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']));
    assert.equal(got.data.x, '2');
    assert.ok(got.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply'));
  });

  it('get in every output format', async () => {
    assert.match(await k(ts, ['get', 'cm', 'settings', '-o', 'yaml']), /kind: ConfigMap/);
    assert.equal((await k(ts, ['get', 'cm', '-o', 'name'])).split('\n').includes('configmap/settings'), true);
    assert.match(await k(ts, ['get', 'deploy', 'web', '-o', 'wide']), /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(await k(ts, ['get', 'deploy']), /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    const list = JSON.parse(await k(ts, ['get', 'cm', '-l', 'app=demo', '-o', 'json']));
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), ['settings', 'ssa']);
  });

  it('label, annotate, and the three patch types', async () => {
    await k(ts, ['label', 'cm', 'settings', 'tier=backend']);
    await k(ts, ['annotate', 'cm', 'settings', 'note=hello']);
    await k(ts, ['patch', 'cm', 'settings', '--type=merge', '-p', '{"data":{"m":"merge"}}']);
    await k(ts, ['patch', 'cm', 'settings', '--type=json', '-p', '[{"op":"add","path":"/data/j","value":"json"}]']);
    await k(ts, ['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}']);
    const c = JSON.parse(await k(ts, ['get', 'cm', 'settings', '-o', 'json']));
    assert.equal(c.metadata.labels.tier, 'backend');
    assert.equal(c.metadata.annotations.note, 'hello');
    assert.equal(c.data.m, 'merge');
    assert.equal(c.data.j, 'json');
    const d = JSON.parse(await k(ts, ['get', 'deploy', 'web', '-o', 'json']));
    assert.deepEqual(d.spec.template.spec.containers.map((x: { image: string }) => x.image), ['nginx:1.26', 'busybox:1.36']);
  });

  it('edit with KUBE_EDITOR', async () => {
    const editor = join(ts.dataDir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^  a: "2"/  a: "edited"/; s/^  a: .2./  a: edited/' "$1"\n`);
    chmodSync(editor, 0o755);
    const r = await ts.kubectl(['edit', 'cm', 'settings'], { env: { KUBE_EDITOR: editor } });
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(await k(ts, ['get', 'cm', 'settings', '-o', 'json']));
    assert.equal(c.data.a, 'edited');
  });

  it('scale a deployment', async () => {
    assert.match(await k(ts, ['scale', 'deploy', 'web', '--replicas=5']), /scaled/);
    const d = JSON.parse(await k(ts, ['get', 'deploy', 'web', '-o', 'json']));
    assert.equal(d.spec.replicas, 5);
  });

  it('describe shows the object', async () => {
    const out = await k(ts, ['describe', 'deploy', 'web']);
    assert.match(out, /Name:\s+web/);
    assert.match(out, /Replicas:\s+5 desired/);
  });

  it('create namespace (protobuf body) and objects in it', async () => {
    assert.match(await k(ts, ['create', 'namespace', 'team-a']), /namespace\/team-a created/);
    assert.match(await k(ts, ['create', 'configmap', 'c1', '-n', 'team-a', '--from-literal=k=v']), /created/);
    assert.match(await k(ts, ['create', 'deployment', 'd1', '-n', 'team-a', '--image=busybox', '--replicas=2']), /created/);
    const d = JSON.parse(await k(ts, ['get', 'deploy', 'd1', '-n', 'team-a', '-o', 'json']));
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].image, 'busybox');
  });

  it('explain reads the OpenAPI schema', async () => {
    const out = await k(ts, ['explain', 'pod.spec.containers']);
    assert.match(out, /FIELD:\s+containers/);
    assert.match(out, /image\s+<string>/);
  });

  it('diff shows a pending change', async () => {
    const f = join(ts.dataDir, 'cm-diff.yaml');
    writeFileSync(f, cm({ a: 'edited', b: '3', m: 'merge', j: 'json', z: 'new' }));
    const r = await ts.kubectl(['diff', '-f', f]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\+\s+z: new/);
  });

  it('rejects unknown fields with strict validation', async () => {
    const f = join(ts.dataDir, 'bad.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndataa:\n  x: "1"\n');
    const r = await ts.kubectl(['apply', '-f', f]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "dataa"/);
  });

  it('get -w sees ADDED, MODIFIED and DELETED', async () => {
    const { spawn } = await import('node:child_process');
    const w = spawn('kubectl', ['--kubeconfig', ts.kubeconfig, 'get', 'cm', '-w', '--output-watch-events', '-l', 'watch=me'], { env: { ...process.env, HOME: ts.dataDir } });
    let out = '';
    w.stdout.on('data', c => { out += c; });
    const until = async (re: RegExp) => { for (let i = 0; i < 100 && !re.test(out); i++) await new Promise(r => setTimeout(r, 100)); };
    await new Promise(r => setTimeout(r, 800));
    await k(ts, ['create', 'cm', 'w1', '--from-literal=a=b']);
    await k(ts, ['label', 'cm', 'w1', 'watch=me']);
    await until(/ADDED/);
    await k(ts, ['annotate', 'cm', 'w1', 'x=y']);
    await until(/MODIFIED/);
    await k(ts, ['delete', 'cm', 'w1']);
    await until(/DELETED/);
    w.kill();
    assert.match(out, /ADDED\s+w1\s/);
    assert.match(out, /MODIFIED\s+w1\s/);
    assert.match(out, /DELETED\s+w1\s/);
  });

  it('delete and wait --for=delete', async () => {
    await k(ts, ['create', 'cm', 'gone', '--from-literal=a=b']);
    const waiter = ts.kubectl(['wait', '--for=delete', 'cm/gone', '--timeout=20s']);
    await new Promise(r => setTimeout(r, 500));
    assert.match(await k(ts, ['delete', 'cm', 'gone']), /deleted/);
    const r = await waiter;
    assert.equal(r.code, 0, r.stderr);
  });
});
