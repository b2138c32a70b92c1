/**
 * Docker-style image references, normalized like docker/distribution's `reference`
 * package: `busybox` → `docker.io/library/busybox:latest`, `foo/bar:1` →
 * `docker.io/foo/bar:1`, `host:5000/x@sha256:…` keeps its registry and digest.
 */
import { InvalidImageNameError } from '../errors.js';

export interface ImageReference {
  /** Registry host (with port), e.g. `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

function bad(ref: string, why: string): never {
  throw new InvalidImageNameError(`invalid image reference "${ref}": ${why}`);
}

/** Parses and normalizes a reference; throws InvalidImageNameError. */
export function parseReference(ref: string): ImageReference {
  if (!ref || ref.length > 4096 || /\s/.test(ref)) bad(ref, 'empty or contains whitespace');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) bad(ref, 'digest must be sha256:<64 lowercase hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad(ref, `invalid tag "${tag}"`);
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) bad(ref, `invalid registry "${domain}"`);
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path.toLowerCase() !== path) bad(ref, 'repository name must be lowercase');
  if (!path || !path.split('/').every(c => COMPONENT.test(c))) bad(ref, 'invalid repository name');
  if (domain.length + 1 + path.length > 255) bad(ref, 'repository name too long');
  if (!tag && !digest) tag = 'latest';
  return { domain, path, tag, digest };
}

/** `domain/path`, e.g. `docker.io/library/busybox`. */
export function repository(r: ImageReference): string {
  return `${r.domain}/${r.path}`;
}

/** Canonical string: `domain/path[:tag][@digest]`. */
export function formatReference(r: ImageReference): string {
  return repository(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/** Short form for people: `busybox:latest`, `foo/bar:1`, `host:5000/x@sha256:…`. */
export function familiarName(r: ImageReference): string {
  let name = repository(r);
  if (r.domain === DEFAULT_DOMAIN) name = r.path.startsWith('library/') ? r.path.slice(8) : r.path;
  return name + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/** Parses then formats: the key under which the store indexes a name. */
export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}
