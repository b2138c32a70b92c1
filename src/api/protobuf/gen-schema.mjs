#!/usr/bin/env node
// Generates schema.generated.ts: the protobuf field table of every Kubernetes message that
// kubeling decodes. Source of the facts: the gzipped FileDescriptorProtos that gogo-protobuf
// compiles into a kubectl binary (the same k8s.io/api generated.proto files, as kubectl
// encodes them). Descriptors also carry `(gogoproto.nullable)`, which tells pointer fields
// (presence matters: `replicas: 0`) from value fields (zero means unset, omitted in JSON).
//   usage: node src/api/protobuf/gen-schema.mjs [path/to/kubectl] > src/api/protobuf/schema.generated.ts
import { readFileSync, realpathSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';

const KUBECTL = realpathSync(process.argv[2] ?? '/usr/bin/kubectl');

/** Top-level kinds a request body may carry (message short names). */
export const ROOTS = [
  ...['Namespace', 'Pod', 'Service', 'Endpoints', 'Node', 'Event', 'ConfigMap', 'Secret', 'ServiceAccount',
    'ReplicationController', 'LimitRange', 'ResourceQuota', 'PersistentVolume', 'PersistentVolumeClaim',
    'PodTemplate', 'Binding'].map(k => 'core.v1.' + k),
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].map(k => 'apps.v1.' + k),
  'batch.v1.Job', 'batch.v1.CronJob', 'coordination.v1.Lease', 'discovery.v1.EndpointSlice', 'events.v1.Event',
  'policy.v1.PodDisruptionBudget', 'policy.v1.Eviction', 'scheduling.v1.PriorityClass',
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map(k => 'rbac.v1.' + k),
  'networking.v1.Ingress', 'networking.v1.IngressClass', 'networking.v1.NetworkPolicy',
  'authentication.v1.TokenRequest', 'authentication.v1.SelfSubjectReview', 'autoscaling.v1.HorizontalPodAutoscaler', 'autoscaling.v1.Scale',
  'autoscaling.v2.HorizontalPodAutoscaler', 'storage.v1.StorageClass',
];
/** Messages with their own JSON form, decoded by hand in special.ts. */
const SPECIAL = new Set(['meta.v1.Time', 'meta.v1.MicroTime', 'meta.v1.Duration', 'meta.v1.FieldsV1',
  'resource.Quantity', 'intstr.IntOrString', 'runtime.RawExtension']);
// Go embeds these structs with `json:",inline"`: their fields flatten into the parent's JSON.
// Descriptors cannot tell them from embedded structs with a JSON name, so both are listed;
// an embedded field in neither list stops the generator for a human to look at the Go type.
const INLINE = new Set([
  ...['ConfigMapEnvSource', 'ConfigMapKeySelector', 'ConfigMapProjection', 'ConfigMapVolumeSource',
    'SecretEnvSource', 'SecretKeySelector', 'SecretProjection'].map(m => `core.v1.${m}.localObjectReference`),
  'core.v1.EphemeralContainer.ephemeralContainerCommon', 'core.v1.PersistentVolumeSpec.persistentVolumeSource',
  'core.v1.Probe.handler', 'core.v1.Volume.volumeSource', 'networking.v1.IngressRule.ingressRuleValue',
]);
const NAMED_EMBED = new Set(['core.v1.WeightedPodAffinityTerm.podAffinityTerm', 'rbac.v1.RoleBinding.roleRef',
  'rbac.v1.ClusterRoleBinding.roleRef', 'core.v1.PreferAvoidPodsEntry.podSignature', 'authentication.v1.SelfSubjectReviewStatus.userInfo']);

// --- a minimal protobuf reader, enough for descriptor.proto ---
function fields(buf) {
  const out = []; let p = 0;
  const varint = () => { let r = 0n, s = 0n; for (;;) { const b = buf[p++]; r |= BigInt(b & 127) << s; s += 7n; if (b < 128) return r; } };
  while (p < buf.length) {
    const k = Number(varint()); const no = k >> 3, wt = k & 7;
    if (wt === 0) out.push({ no, val: varint() });
    else if (wt === 2) { const l = Number(varint()); out.push({ no, val: buf.subarray(p, p + l) }); p += l; }
    else if (wt === 5) p += 4; else if (wt === 1) p += 8; else throw new Error('wire type ' + wt);
  }
  return out;
}
function parseField(buf) {
  const f = { nullable: true };
  for (const x of fields(buf)) {
    if (x.no === 1) f.name = x.val.toString(); else if (x.no === 3) f.number = Number(x.val);
    else if (x.no === 4) f.label = Number(x.val); else if (x.no === 5) f.type = Number(x.val);
    else if (x.no === 6) f.typeName = x.val.toString();
    else if (x.no === 8) for (const o of fields(x.val)) {
      if (o.no === 65001) f.nullable = o.val !== 0n; // gogoproto.nullable
      else if (o.no === 65004) f.goName = o.val.toString(); // gogoproto.customname
    }
  }
  return f;
}
function parseMsg(buf, prefix, out) {
  const m = { fields: [], mapEntry: false }; let name = '';
  const nested = [];
  for (const f of fields(buf)) {
    if (f.no === 1) name = f.val.toString(); else if (f.no === 2) m.fields.push(parseField(f.val));
    else if (f.no === 3) nested.push(f.val);
    else if (f.no === 7) for (const o of fields(f.val)) if (o.no === 7) m.mapEntry = o.val !== 0n;
  }
  out.set(prefix + '.' + name, m);
  for (const n of nested) parseMsg(n, prefix + '.' + name, out);
}

// --- collect descriptors from the binary ---
const bin = readFileSync(KUBECTL);
const GZ = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
const all = new Map();
for (let i = bin.indexOf(GZ); i >= 0; i = bin.indexOf(GZ, i + 1)) {
  let fd; try { fd = gunzipSync(bin.subarray(i, i + 1_000_000), { finishFlush: 2 }); } catch { continue; }
  let file = '', pkg = ''; const msgs = [];
  try { for (const f of fields(fd)) { if (f.no === 1) file = f.val.toString(); else if (f.no === 2) pkg = f.val.toString(); else if (f.no === 4) msgs.push(f.val); } } catch { continue; }
  if (!file.startsWith('k8s.io/') || !file.endsWith('generated.proto')) continue;
  for (const m of msgs) parseMsg(m, '.' + pkg, all);
}

const short = full => full.replace(/^\.k8s\.io\.api\./, '').replace(/^\.k8s\.io\.apimachinery\.pkg\.apis\./, '')
  .replace(/^\.k8s\.io\.apimachinery\.pkg\.(api\.|util\.)?/, '');
const SCALAR = { 1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32' };
const typeOf = f => {
  if (f.type === 11) return short(f.typeName);
  const t = SCALAR[f.type]; if (!t) throw new Error(`unsupported field type ${f.type} for ${f.name}`);
  return t;
};

const out = new Map(); const queue = [...ROOTS];
while (queue.length) {
  const name = queue.shift();
  if (out.has(name) || SPECIAL.has(name)) continue;
  const m = all.get('.k8s.io.api.' + name) ?? all.get('.k8s.io.apimachinery.pkg.apis.' + name)
    ?? [...all.keys()].filter(k => short(k) === name).map(k => all.get(k))[0];
  if (!m) throw new Error('message not found: ' + name);
  const entries = [];
  for (const f of [...m.fields].sort((a, b) => a.number - b.number)) {
    if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(f.name)) throw new Error(`odd field name ${name}.${f.name}`);
    let t;
    const entry = f.type === 11 ? all.get(f.typeName) : undefined;
    if (entry?.mapEntry) {
      const [k, v] = [entry.fields.find(x => x.number === 1), entry.fields.find(x => x.number === 2)];
      if (k.type !== 9) throw new Error('non-string map key in ' + name);
      t = `map<${typeOf(v)}>`; if (v.type === 11) queue.push(short(v.typeName));
    } else {
      t = typeOf(f); if (f.type === 11) queue.push(t);
      if (f.label === 3) t = '[]' + t; else if (f.nullable) t += '?';
    }
    const embedded = f.type === 11 && f.label !== 3 && !f.nullable && f.typeName.split('.').pop() === f.goName;
    const key = `${name}.${f.name}`;
    if (embedded && f.name !== 'metadata' && !INLINE.has(key) && !NAMED_EMBED.has(key)) throw new Error('embedded field, inline or not? ' + key);
    entries.push(`${f.number}: '${INLINE.has(key) ? '...' : ''}${f.name} ${t}'`);
  }
  out.set(name, entries);
}

const kubectlVersion = execFileSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' }).split('\n')[0].replace(/^Client Version: /, '');
const lines = [
  '// GENERATED by gen-schema.mjs from the protobuf descriptors compiled into kubectl ' + kubectlVersion + '. Do not edit.',
  '// Long by nature: one entry per message reachable from ROOTS (field number -> "jsonName type").',
  '// Types: scalar | message short name; "[]T" repeated; "map<V>" string-keyed map; "T?" pointer',
  '// (nullable in Go: a zero value that is present on the wire is kept, not omitted);',
  '// "...name" an embedded struct whose fields flatten into the parent (json:",inline").',
  '',
  'export const ROOTS: readonly string[] = [',
  ...chunk(ROOTS.map(r => `'${r}'`), 100).map(l => '  ' + l + ','),
  '];',
  '',
  'export const SCHEMA: Readonly<Record<string, Readonly<Record<number, string>>>> = {',
];
for (const [name, entries] of [...out].sort((a, b) => a[0].localeCompare(b[0]))) {
  const body = chunk(entries, 110);
  if (body.length === 1 && body[0].length + name.length < 100) lines.push(`  '${name}': { ${body[0]} },`);
  else lines.push(`  '${name}': {`, ...body.map(l => '    ' + l + ','), '  },');
}
lines.push('};', '');
process.stdout.write(lines.join('\n'));

function chunk(items, width) {
  const res = []; let cur = '';
  for (const it of items) { if (cur && cur.length + it.length + 2 > width) { res.push(cur); cur = ''; } cur += (cur ? ', ' : '') + it; }
  if (cur) res.push(cur);
  return res;
}
