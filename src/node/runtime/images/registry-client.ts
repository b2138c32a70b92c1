/**
 * A client for one repository of a registry speaking the OCI distribution API, with
 * Docker's token auth: a 401 carrying `WWW-Authenticate: Bearer realm=…,service=…` is
 * answered by fetching a token for `repository:<path>:pull` (with Basic credentials when
 * given) and retrying; a `Basic` challenge is answered with the credentials directly.
 */
import { createHash } from 'node:crypto';
import { ImagePullError } from '../errors.js';
import { INDEX_TYPES, MANIFEST_TYPES } from './media-types.js';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryOptions {
  /** Hosts reached over plain http (loopback hosts always are). */
  insecureRegistries?: string[];
  /** Credentials for a registry host, if any. */
  credentials?: (host: string) => RegistryCredentials | undefined;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  /** Digest of the bytes as served. */
  digest: string;
}

/** The API endpoint of a registry domain: Docker Hub's lives elsewhere. */
export function registryHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '');
  return h === 'localhost' || /^127\./.test(h) || h === '[::1]';
}

function challenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.split(' ', 1)[0]!.toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(scheme.length).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

export class RegistryClient {
  readonly base: string;
  readonly #path: string;
  readonly #creds?: RegistryCredentials;
  #auth?: string;

  constructor(domain: string, path: string, opts: RegistryOptions = {}) {
    const host = registryHost(domain);
    const plain = isLoopback(host) || (opts.insecureRegistries ?? []).includes(domain);
    this.base = `${plain ? 'http' : 'https'}://${host}/v2/${path}`;
    this.#path = path;
    this.#creds = opts.credentials?.(domain);
  }

  async #authorize(res: Response): Promise<boolean> {
    const { scheme, params } = challenge(res.headers.get('www-authenticate') ?? '');
    const basic = this.#creds ? 'Basic ' + Buffer.from(`${this.#creds.username}:${this.#creds.password}`).toString('base64') : undefined;
    if (scheme === 'basic') {
      if (!basic || this.#auth === basic) return false;
      this.#auth = basic;
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.#path}:pull`);
    const tr = await fetch(url, { headers: basic ? { authorization: basic } : {} });
    if (!tr.ok) throw new ImagePullError(`token request to ${url.origin} failed: ${tr.status} ${tr.statusText}`);
    const body = (await tr.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new ImagePullError(`token server ${url.origin} returned no token`);
    this.#auth = `Bearer ${token}`;
    return true;
  }

  /** GET with auth; a 401 triggers one round of the challenge. */
  async get(path: string, accept?: string[]): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (accept) headers.accept = accept.join(', ');
      if (this.#auth) headers.authorization = this.#auth;
      let res: Response;
      try {
        res = await fetch(`${this.base}${path}`, { headers });
      } catch (e) {
        throw new ImagePullError(`cannot reach ${this.base}: ${(e as Error).cause ?? (e as Error).message}`, undefined, { cause: e });
      }
      if (res.status === 401 && attempt === 0 && (await this.#authorize(res))) continue;
      if (res.ok) return res;
      const text = await res.text().catch(() => '');
      const what = res.status === 404 ? 'not found' : res.status === 401 ? 'unauthorized' : `HTTP ${res.status}`;
      throw new ImagePullError(`${this.base}${path}: ${what} ${text.slice(0, 300)}`.trim());
    }
  }

  async manifest(reference: string): Promise<FetchedManifest> {
    const res = await this.get(`/manifests/${reference}`, [...MANIFEST_TYPES, ...INDEX_TYPES]);
    const bytes = Buffer.from(await res.arrayBuffer());
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    try {
      const body = JSON.parse(bytes.toString()) as { mediaType?: string; schemaVersion?: number; manifests?: unknown };
      if (body.schemaVersion === 1) throw new ImagePullError('Docker schema 1 manifests are not supported');
      if (body.mediaType) mediaType = body.mediaType;
      else if (![...MANIFEST_TYPES, ...INDEX_TYPES].includes(mediaType)) mediaType = body.manifests ? INDEX_TYPES[0]! : MANIFEST_TYPES[0]!;
    } catch (e) {
      if (e instanceof ImagePullError) throw e;
      throw new ImagePullError(`manifest ${reference} is not JSON`);
    }
    return { bytes, mediaType, digest: 'sha256:' + createHash('sha256').update(bytes).digest('hex') };
  }

  /** The blob's body stream (redirects are followed; undici drops auth across origins). */
  async blob(digest: string): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.get(`/blobs/${digest}`);
    if (!res.body) throw new ImagePullError(`blob ${digest}: empty response`);
    return res.body as unknown as AsyncIterable<Uint8Array>;
  }
}
