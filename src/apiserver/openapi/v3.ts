/**
 * Serves the OpenAPI v3 documents generated at build time (scripts/gen-openapi.mjs) into
 * dist/openapi/. Nothing is read at start-up: the index on the first discovery call, each
 * document on its first request, then kept in memory as the exact bytes to send.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../../api/errors.js';

/** Body of GET /openapi/v3. */
export interface OpenAPIV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

interface IndexFile {
  kubeVersion: string;
  paths: Record<string, { file: string; hash: string; bytes: number }>;
}

const dir = fileURLToPath(new URL('../../../openapi/', import.meta.url));
let index: IndexFile | undefined;
const docs = new Map<string, Buffer>();

function loadIndex(): IndexFile {
  if (index) return index;
  try {
    index = JSON.parse(readFileSync(dir + 'index.json', 'utf8')) as IndexFile;
  } catch (err) {
    throw new InternalError(`OpenAPI documents missing from ${dir}: run \`npm run build\``, undefined, { cause: err });
  }
  return index;
}

/**
 * GET /openapi/v3: one entry per group-version, e.g. `api/v1` ->
 * `/openapi/v3/api/v1?hash=<SHA-512>`. The hash changes only when the document does, so
 * clients (kubectl caches by it) may cache the URL forever.
 */
export function openapiV3Root(): OpenAPIV3Root {
  const paths: OpenAPIV3Root['paths'] = {};
  for (const [key, p] of Object.entries(loadIndex().paths)) {
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${p.hash}` };
  }
  return { paths };
}

/**
 * GET /openapi/v3/<pathKey> (pathKey like `api/v1` or `apis/apps/v1`): the JSON document's
 * bytes, or undefined when no such group-version is served.
 */
export function openapiV3Doc(pathKey: string): Buffer | undefined {
  const cached = docs.get(pathKey);
  if (cached) return cached;
  const entry = loadIndex().paths[pathKey];
  if (!entry) return undefined;
  const bytes = readFileSync(dir + entry.file);
  docs.set(pathKey, bytes);
  return bytes;
}

/** The document's hash (uppercase hex SHA-512): its ETag, and the `hash` query value that names it. */
export function openapiV3Hash(pathKey: string): string | undefined {
  return loadIndex().paths[pathKey]?.hash;
}
