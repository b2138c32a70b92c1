/**
 * Service-account tokens as upstream issues them: JWTs (ES256 for the P-256 key kubeling makes,
 * RS256 for an RSA key, as kube-apiserver signs with either) whose `kid` is the SHA-256 of
 * the public key (DER), with the claims of pkg/serviceaccount/claims.go — iss, sub
 * (system:serviceaccount:<ns>:<name>), aud, exp/iat/nbf, jti and the private
 * `kubernetes.io` claim naming the namespace, service account and bound pod/secret/node.
 */
import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, randomUUID, type KeyObject } from 'node:crypto';
import type { ServiceAccountKey } from './sa-key.js';

export interface ObjectRef { name: string; uid: string }

export interface PrivateClaims {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Tokens extended past their requested life tell clients when to have renewed. */
  warnafter?: number;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': PrivateClaims;
}

/** The default issuer and API audience (kube-apiserver's --service-account-issuer as k3s sets it). */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly audiences: string[];
  // Parsed once: handing sign/verify the PEM text re-parsed it each time (676 → 42 µs a sign).
  readonly #private: KeyObject;
  readonly #public: KeyObject;
  readonly #kid: string;
  readonly #alg: 'ES256' | 'RS256';

  constructor(key: ServiceAccountKey, o: { issuer?: string; audiences?: string[] } = {}) {
    this.#private = createPrivateKey(key.privateKey);
    this.issuer = o.issuer ?? DEFAULT_ISSUER;
    this.audiences = o.audiences?.length ? o.audiences : [this.issuer];
    const pub = createPublicKey(key.publicKey);
    this.#public = pub;
    this.#alg = pub.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
    const der = pub.export({ type: 'spki', format: 'der' });
    this.#kid = b64url(createHash('sha256').update(der).digest());
  }

  /** Claims for `expirationSeconds` from now (seconds since the epoch, as JWT wants). */
  claims(o: { private: PrivateClaims; audiences: string[]; expirationSeconds: number; now?: number }): TokenClaims {
    const now = Math.floor((o.now ?? Date.now()) / 1000);
    return {
      aud: o.audiences, exp: now + o.expirationSeconds, iat: now, iss: this.issuer, jti: randomUUID(),
      'kubernetes.io': o.private, nbf: now, sub: `system:serviceaccount:${o.private.namespace}:${o.private.serviceaccount.name}`,
    };
  }

  sign(claims: TokenClaims): string {
    const head = b64url(JSON.stringify({ alg: this.#alg, kid: this.#kid }));
    const body = b64url(JSON.stringify(claims));
    // JWS wants ECDSA signatures as r||s (IEEE P1363), not DER.
    const sig = createSign('SHA256').update(`${head}.${body}`).sign({ key: this.#private, dsaEncoding: 'ieee-p1363' });
    return `${head}.${body}.${b64url(sig)}`;
  }

  /**
   * The claims of a token this issuer signed that is valid now (signature, issuer, an
   * audience of the API, not expired, not used before nbf); undefined otherwise.
   */
  verify(token: string, now = Date.now()): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const head = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as { alg?: string };
      if (head.alg !== this.#alg) return undefined;
      const ok = createVerify('SHA256').update(`${parts[0]}.${parts[1]}`)
        .verify({ key: this.#public, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'));
      if (!ok) return undefined;
      const c = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as TokenClaims;
      const t = Math.floor(now / 1000);
      const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
      // Upstream allows 60 s of clock skew on nbf/exp.
      if (c.iss !== this.issuer || !aud.some(a => this.audiences.includes(a))) return undefined;
      if (typeof c.exp !== 'number' || c.exp + 60 < t || (typeof c.nbf === 'number' && c.nbf - 60 > t)) return undefined;
      if (!c['kubernetes.io']?.serviceaccount?.name || !c.sub?.startsWith('system:serviceaccount:')) return undefined;
      return c;
    } catch {
      return undefined;
    }
  }
}
