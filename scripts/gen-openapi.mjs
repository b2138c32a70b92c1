#!/usr/bin/env node
// Generates the OpenAPI v3 documents kubeling serves (one per group-version in RESOURCES) and
// the compact field table used for server-side field validation, into dist/openapi/.
// Derived from installed packages (see src/apiserver/openapi/gen/); needs no network.
// Skips all work when its inputs are unchanged, so `npm run build` stays fast.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('..', import.meta.url));
const genDir = join(root, 'src/apiserver/openapi/gen');
const outDir = join(root, 'dist/openapi');
const clientNode = join(root, 'node_modules/@kubernetes/client-node');
const typesDir = join(root, 'node_modules/kubernetes-types');
const resourcesTs = join(root, 'src/api/resources.ts');

const started = performance.now();
const inputs = inputsHash();
const indexFile = join(outDir, 'index.json');
if (upToDate(indexFile, inputs) && !process.argv.includes('--force')) {
  console.log(`gen-openapi: up to date (${(performance.now() - started).toFixed(0)} ms)`);
  process.exit(0);
}

const { readClientNodeModels } = await import('./../src/apiserver/openapi/gen/sources.mjs');
const { SchemaBuilder, compactTypes } = await import('./../src/apiserver/openapi/gen/schemas.mjs');
const { groupVersionPaths, kindName } = await import('./../src/apiserver/openapi/gen/paths.mjs');
const { KUBE_VERSION, META, PATCH } = await import('./../src/apiserver/openapi/gen/facts.mjs');

const RESOURCES = await loadResources();
const gvs = [...new Map(RESOURCES.map(r => [`${r.group}/${r.version}`, { group: r.group, version: r.version }])).values()];
const models = readClientNodeModels(join(clientNode, 'dist/gen/models'));
const builder = new SchemaBuilder(models, typesDir,
  [{ group: 'meta', version: 'v1' }, ...gvs, { group: 'autoscaling', version: 'v1' }, { group: 'policy', version: 'v1' }, { group: 'authentication.k8s.io', version: 'v1' }]);

// x-kubernetes-group-version-kind on every top-level kind, as kubectl explain and apply look for it.
const gvkOf = new Map();
const addGvk = (name, group, version, kind) => gvkOf.set(name, [...(gvkOf.get(name) ?? []), { group, kind, version }]);
for (const r of RESOURCES) {
  addGvk(kindName(r.group, r.version, r.kind), r.group, r.version, r.kind);
  if (r.verbs.includes('list')) addGvk(kindName(r.group, r.version, r.listKind), r.group, r.version, r.listKind);
}
addGvk('io.k8s.api.autoscaling.v1.Scale', 'autoscaling', 'v1', 'Scale');
addGvk('io.k8s.api.policy.v1.Eviction', 'policy', 'v1', 'Eviction');
addGvk('io.k8s.api.core.v1.Binding', '', 'v1', 'Binding');
addGvk('io.k8s.api.authentication.v1.TokenRequest', 'authentication.k8s.io', 'v1', 'TokenRequest');
addGvk(`${META}.Status`, '', 'v1', 'Status');
addGvk(`${META}.APIResourceList`, '', 'v1', 'APIResourceList');
for (const { group, version } of [{ group: '', version: 'v1' }, ...gvs.filter(g => g.group)]) {
  addGvk(`${META}.DeleteOptions`, group, version, 'DeleteOptions');
  addGvk(`${META}.WatchEvent`, group, version, 'WatchEvent');
}

mkdirSync(outDir, { recursive: true });
const index = { inputs, kubeVersion: KUBE_VERSION, paths: {}, fields: 'fields.json' };
const allSchemas = new Map();
for (const { group, version } of gvs) {
  const resources = RESOURCES.filter(r => r.group === group && r.version === version);
  const roots = new Set([`${META}.APIResourceList`, `${META}.DeleteOptions`, `${META}.Status`, `${META}.WatchEvent`, PATCH]);
  for (const r of resources) {
    roots.add(kindName(group, version, r.kind));
    if (r.verbs.includes('list')) roots.add(kindName(group, version, r.listKind)); // create-only kinds have no list
    if (r.subresources?.includes('scale')) roots.add('io.k8s.api.autoscaling.v1.Scale');
    if (r.subresources?.includes('eviction')) roots.add('io.k8s.api.policy.v1.Eviction');
    if (r.subresources?.includes('binding')) roots.add('io.k8s.api.core.v1.Binding');
    if (r.subresources?.includes('token')) roots.add('io.k8s.api.authentication.v1.TokenRequest');
  }
  const schemas = builder.closure(roots);
  for (const [name, s] of schemas) {
    if (gvkOf.has(name)) s['x-kubernetes-group-version-kind'] = gvkOf.get(name);
    allSchemas.set(name, s);
  }
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION },
    paths: groupVersionPaths(group, version, resources),
    components: {
      schemas: Object.fromEntries(schemas),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
  const key = group ? `apis/${group}/${version}` : `api/${version}`;
  const file = key.replaceAll('/', '__') + '.json';
  const bytes = Buffer.from(JSON.stringify(doc));
  writeAtomic(join(outDir, file), bytes);
  index.paths[key] = { file, hash: createHash('sha512').update(bytes).digest('hex').toUpperCase(), bytes: bytes.length };
}

// Field table: every type any document holds, and the root type of each apiVersion+kind.
const roots = {};
for (const [name, gvks] of gvkOf) {
  for (const { group, version, kind } of gvks) roots[`${group ? `${group}/${version}` : version}:${kind}`] = name;
}
for (const gv of ['meta.k8s.io/v1']) roots[`${gv}:DeleteOptions`] = `${META}.DeleteOptions`;
writeAtomic(join(outDir, 'fields.json'), Buffer.from(JSON.stringify({ roots, types: compactTypes(allSchemas) })));
for (const f of readdirSync(outDir)) {
  if (f.endsWith('.json') && f !== 'index.json' && f !== 'fields.json' && !Object.values(index.paths).some(p => p.file === f)) rmSync(join(outDir, f));
}
writeAtomic(indexFile, Buffer.from(JSON.stringify(index, null, 1)));
const total = Object.values(index.paths).reduce((n, p) => n + p.bytes, 0);
console.log(`gen-openapi: ${gvs.length} documents, ${allSchemas.size} schemas, ${(total / 1024).toFixed(0)} KiB in ${(performance.now() - started).toFixed(0)} ms`);

function inputsHash() {
  const h = createHash('sha256');
  for (const f of [fileURLToPath(import.meta.url), ...readdirSync(genDir).sort().map(f => join(genDir, f)), resourcesTs]) {
    h.update(f).update(readFileSync(f));
  }
  for (const pkg of [clientNode, typesDir]) h.update(readFileSync(join(pkg, 'package.json')));
  return h.digest('hex');
}

function upToDate(file, hash) {
  if (!existsSync(file)) return false;
  try {
    const idx = JSON.parse(readFileSync(file, 'utf8'));
    return idx.inputs === hash && existsSync(join(outDir, idx.fields)) &&
      Object.values(idx.paths).every(p => existsSync(join(outDir, p.file)));
  } catch {
    return false;
  }
}

// RESOURCES is TypeScript and this runs before tsc: transpile that one file in memory.
async function loadResources() {
  const ts = createRequire(import.meta.url)('typescript'); // require: ESM import of it lexes 9 MB
  const js = ts.transpileModule(readFileSync(resourcesTs, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return (await import('data:text/javascript;base64,' + Buffer.from(js).toString('base64'))).RESOURCES;
}

// Readers (a running server) never see a half-written document.
function writeAtomic(file, bytes) {
  writeFileSync(file + '.tmp', bytes);
  renameSync(file + '.tmp', file);
}
