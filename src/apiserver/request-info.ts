/**
 * Parses a request path into what it addresses, like kube-apiserver's RequestInfoFactory:
 * /api/v1/namespaces/NS/pods/NAME/SUB and /apis/GROUP/VERSION/..., plus legacy /watch/.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';

export interface ResourceRequest {
  group: string;
  version: string;
  /** undefined when no resource segment (group-version discovery). */
  plural?: string;
  resource?: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Extra path after the subresource (e.g. proxy paths). */
  rest: string[];
  legacyWatch: boolean;
}

/** What the handlers need of a request's URL. */
export interface RequestUrl { pathname: string; searchParams: URLSearchParams }

// Paths and queries WHATWG URL parsing would leave as they are: no percent-escapes, dot
// segments, fragments, spaces or non-ASCII (those take the full parser).
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const PLAIN_QUERY = /^[\x21-\x22\x24-\x7e]*$/;

/**
 * The path and query of a request target, as `new URL(target, base)` gives them; a plain
 * target (nearly every API request) is split by hand, without the URL parser. Undefined
 * when the target is not a valid URL.
 */
export function parseRequestUrl(target: string): RequestUrl | undefined {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  if (PLAIN_PATH.test(path) && !path.includes('/.') && PLAIN_QUERY.test(query)) {
    return { pathname: path, searchParams: new URLSearchParams(query) };
  }
  try {
    const u = new URL(target, 'http://x');
    return { pathname: u.pathname, searchParams: u.searchParams };
  } catch {
    return undefined;
  }
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Returns the resource request for /api and /apis paths, or undefined for other paths. */
export function parseResourcePath(pathname: string): ResourceRequest | undefined {
  const parts = pathname.split('/').filter(Boolean);
  if (pathname.includes('%')) for (let i = 0; i < parts.length; i++) parts[i] = decodeURIComponent(parts[i]);
  let group: string;
  let version: string;
  let cur: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = ''; version = parts[1]; cur = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]; version = parts[2]; cur = parts.slice(3);
  } else {
    return undefined;
  }
  const out: ResourceRequest = { group, version, rest: [], legacyWatch: false };
  if (cur[0] === 'watch') { out.legacyWatch = true; cur = cur.slice(1); }
  if (cur.length === 0) return out;
  if (cur[0] === 'namespaces' && cur.length > 1) {
    out.namespace = cur[1];
    if (cur.length > 2 && !NAMESPACE_SUBRESOURCES.has(cur[2])) cur = cur.slice(2);
  }
  out.plural = cur[0];
  out.name = cur[1];
  out.subresource = cur[2];
  out.rest = cur.slice(3);
  out.resource = findResource(group, version, cur[0]);
  // The namespace object itself: /api/v1/namespaces/NAME is cluster-scoped.
  if (out.resource && !out.resource.namespaced && out.plural === 'namespaces') out.namespace = undefined;
  return out;
}
