/**
 * What the agent builds a container from: env (values, ConfigMap/Secret keys, fieldRef,
 * resourceFieldRef, envFrom, $(VAR)), volumes (configMap updates reaching the files,
 * secret modes, downwardAPI, projected, memory emptyDir), securityContext, resource
 * limits as cgroups, and images under each pull policy with upstream's reasons.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually, NodeCluster, rootSkip } from './cluster.js';

const manifests = (node: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {greeting: hello, other: x}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: env-demo, labels: {app: env}}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "env | sort; echo ARGS $(GREETING) $0", "$(EXPANDED)"]
    resources: {limits: {memory: 64Mi, cpu: 500m}, requests: {cpu: 100m, memory: 32Mi}}
    envFrom: [{configMapRef: {name: cfg}, prefix: CFG_}]
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}}
    - {name: PASS, valueFrom: {secretKeyRef: {name: sec, key: password}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: APP_LABEL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: CPU_M, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
    - {name: EXPANDED, value: "$(GREETING)-world"}
    - {name: MISSING_OK, valueFrom: {configMapKeyRef: {name: nope, key: k, optional: true}}}
---
apiVersion: v1
kind: Pod
metadata: {name: vol-demo, labels: {app: vol}, annotations: {note: first}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  volumes:
  - {name: cfg, configMap: {name: cfg}}
  - {name: sec, secret: {secretName: sec, defaultMode: 0400}}
  - name: info
    downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}, {path: name, fieldRef: {fieldPath: metadata.name}}]}
  - name: proj
    projected:
      sources:
      - configMap: {name: cfg, items: [{key: other, path: cm/other}]}
      - secret: {name: sec}
      - downwardAPI: {items: [{path: note, fieldRef: {fieldPath: "metadata.annotations['note']"}}]}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "mount | grep -E ' /(mem|sec|proj) ' | cut -d' ' -f3,5; stat -L -c '%a %n' /sec/password; cat /info/labels; echo; cat /info/name /proj/cm/other /proj/password /proj/note; echo; while true; do echo greeting=$(cat /cfg/greeting); sleep 0.5; done"]
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
    - {name: sec, mountPath: /sec}
    - {name: info, mountPath: /info}
    - {name: proj, mountPath: /proj}
    - {name: mem, mountPath: /mem}
---
apiVersion: v1
kind: Pod
metadata: {name: sec-demo}
spec:
  nodeName: ${node}
  restartPolicy: Never
  securityContext: {runAsUser: 65534, runAsGroup: 65534}
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "id -u; id -g; touch /x 2>/dev/null && echo writable || echo read-only; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/memory/memory.limit_in_bytes"]
    securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
    resources: {limits: {cpu: 500m, memory: 48Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: missing-cm}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "100000"]
    env: [{name: X, valueFrom: {configMapKeyRef: {name: later, key: k}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet}
spec:
  nodeName: ${node}
  restartPolicy: Never
  hostNetwork: true
  containers: [{name: c, image: busybox, command: ["hostname"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: never-missing}
spec:
  nodeName: ${node}
  containers: [{name: c, image: "example.invalid/nothing:1", imagePullPolicy: Never}]
---
apiVersion: v1
kind: Pod
metadata: {name: pull-fails}
spec:
  nodeName: ${node}
  containers: [{name: c, image: "127.0.0.1:1/none:1", imagePullPolicy: IfNotPresent}]
`;

describe('container configuration on a real node', { skip: rootSkip }, () => {
  let c: NodeCluster;
  const pod = async (name: string) => JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
  const logs = (name: string) => c.k(['logs', name]);
  const waitingReason = (p: Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

  before(async () => {
    c = new NodeCluster();
    await c.start();
    await c.k(['apply', '-f', '-'], manifests(c.nodeName));
  });
  after(async () => {
    await c.kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']);
    await c.destroy();
    assert.deepEqual(c.leftovers(), []);
  });

  it('env: values, keys of ConfigMaps and Secrets, downward fields, resources, envFrom, $(VAR)', async () => {
    const p = await eventually(async () => { const x = await pod('env-demo'); return x.status?.phase === 'Succeeded' && x; }, 30_000, 'env-demo done');
    const out = await logs('env-demo');
    const env = new Map(out.split('\n').filter(l => l.includes('=')).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.get('GREETING'), 'hello');
    assert.equal(env.get('PASS'), 's3cret');
    assert.equal(env.get('POD_IP'), p.status!.podIP);
    assert.equal(env.get('POD_NAME'), 'env-demo');
    assert.equal(env.get('APP_LABEL'), 'env');
    assert.equal(env.get('NODE'), c.nodeName);
    assert.equal(env.get('MEM_MI'), '64');
    assert.equal(env.get('CPU_M'), '100');
    assert.equal(env.get('EXPANDED'), 'hello-world');
    assert.equal(env.get('CFG_greeting'), 'hello');
    assert.equal(env.get('CFG_other'), 'x');
    assert.equal(env.get('HOSTNAME'), 'env-demo');
    assert.ok(!env.has('MISSING_OK'));
    assert.match(out, /^ARGS hello hello-world$/m);
  });

  it('volumes: configMap, secret (mode, tmpfs), downwardAPI, projected, memory emptyDir', async () => {
    await eventually(async () => (await logs('vol-demo')).includes('greeting=hello'), 30_000, 'vol-demo running');
    const out = await logs('vol-demo');
    assert.match(out, /^\/sec tmpfs$/m);
    assert.match(out, /^\/proj tmpfs$/m);
    assert.match(out, /^\/mem tmpfs$/m);
    assert.match(out, /^400 \/sec\/password$/m);
    assert.match(out, /^app="vol"$/m);
    assert.match(out, /vol-demo\s*x\s*s3cret\s*first/);
  });

  it('volumes: a changed ConfigMap reaches the mounted files', async () => {
    await c.k(['patch', 'configmap', 'cfg', '--type=merge', '-p', '{"data":{"greeting":"bonjour"}}']);
    await eventually(async () => (await logs('vol-demo')).includes('greeting=bonjour'), 30_000, 'the new value in the file');
  });

  it('securityContext and limits reach the container', async () => {
    await eventually(async () => (await pod('sec-demo')).status?.phase === 'Succeeded', 30_000, 'sec-demo done');
    const lines = (await logs('sec-demo')).trim().split('\n');
    assert.deepEqual(lines, ['65534', '65534', 'read-only', '50000', String(48 * 1024 * 1024)]);
  });

  it('hostNetwork pods get the node\'s IP and hostname', async () => {
    const p = await eventually(async () => { const x = await pod('hostnet'); return x.status?.phase === 'Succeeded' && x; }, 30_000, 'hostnet done');
    assert.equal(p.status!.podIP, p.status!.hostIP);
    assert.equal((await logs('hostnet')).trim(), hostname());
  });

  it('a missing ConfigMap holds the container in CreateContainerConfigError until it exists', async () => {
    const p = await eventually(async () => { const x = await pod('missing-cm'); return waitingReason(x) === 'CreateContainerConfigError' && x; }, 20_000, 'config error');
    assert.equal(p.status!.containerStatuses![0]!.state!.waiting!.message, 'configmap "later" not found');
    await c.k(['create', 'configmap', 'later', '--from-literal=k=v']);
    await eventually(async () => (await pod('missing-cm')).status?.phase === 'Running', 20_000, 'running once the ConfigMap exists');
  });

  it('images: Never without the image, unreachable registries, and the agent keeps going', async () => {
    const never = await eventually(async () => { const x = await pod('never-missing'); return waitingReason(x) === 'ErrImageNeverPull' && x; }, 20_000, 'ErrImageNeverPull');
    assert.match(never.status!.containerStatuses![0]!.state!.waiting!.message!, /is not present with pull policy of Never/);
    await eventually(async () => waitingReason(await pod('pull-fails')) === 'ImagePullBackOff', 30_000, 'ImagePullBackOff');
    const ev = JSON.parse(await c.k(['get', 'events', '--field-selector', 'involvedObject.name=pull-fails', '-o', 'json'])).items as { reason: string; message: string }[];
    assert.ok(ev.some(e => e.reason === 'Failed' && e.message.startsWith('Failed to pull image "127.0.0.1:1/none:1"')));
    assert.ok(ev.some(e => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    assert.ok(ev.some(e => e.reason === 'BackOff' && e.message === 'Back-off pulling image "127.0.0.1:1/none:1"'));
    const node = JSON.parse(await c.k(['get', 'node', c.nodeName, '-o', 'json']));
    assert.equal(node.status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'True');
  });
});
