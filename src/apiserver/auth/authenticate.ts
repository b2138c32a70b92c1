/**
 * Authentication: a TLS client certificate signed by the cluster CA, a bearer token from
 * the server's token table, a bearer service-account token (a JWT the server signed,
 * checked by the asynchronous `bearer` hook), or the user the server attached to one of
 * its in-process connections. RBAC comes later: every authenticated user is admin.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** Resolves bearer tokens the static table does not know (service-account JWTs). */
export type BearerAuthenticator = (token: string) => Promise<UserInfo | undefined>;

export class Authenticator {
  #tokens: Map<string, UserInfo>;
  constructor(tokens: Map<string, UserInfo> = new Map()) { this.#tokens = tokens; }

  #bearer?: BearerAuthenticator;

  addToken(token: string, user: UserInfo): void { this.#tokens.set(token, user); }

  /** Installs the authenticator for bearer tokens outside the static table. */
  setBearerAuthenticator(fn: BearerAuthenticator): void { this.#bearer = fn; }

  /** authenticate(), then the bearer hook for tokens the table does not hold. */
  async authenticateRequest(req: IncomingMessage): Promise<UserInfo | undefined> {
    const user = this.authenticate(req);
    if (user) return user;
    const auth = req.headers.authorization;
    if (this.#bearer && auth?.startsWith('Bearer ')) return this.#bearer(auth.slice(7).trim()).catch(() => undefined);
    return undefined;
  }

  /**
   * Requests on `conn` are `user`'s: the API server's in-process connections, whose user the
   * server attaches when it accepts them. Nothing a client sends can reach this table.
   */
  trustConnection(conn: object, user: UserInfo): void { this.#bySocket.set(conn, user); }

  /** The request's user, or undefined when it carries no valid credential. */
  authenticate(req: IncomingMessage): UserInfo | undefined {
    const auth = req.headers.authorization;
    if (auth && auth.startsWith('Bearer ')) {
      return this.#tokens.get(auth.slice(7).trim());
    }
    const sock = req.socket as TLSSocket;
    // A connection's certificate never changes: look it up once per socket.
    const known = this.#bySocket.get(sock);
    if (known !== undefined) return known ?? undefined;
    const user = this.#fromCert(sock);
    this.#bySocket.set(sock, user ?? null);
    return user;
  }

  #bySocket = new WeakMap<object, UserInfo | null>();

  #fromCert(sock: TLSSocket): UserInfo | undefined {
    if (sock.authorized && typeof sock.getPeerCertificate === 'function') {
      const cert = sock.getPeerCertificate();
      const subj = cert?.subject as unknown as Record<string, string | string[]> | undefined;
      if (subj?.CN) {
        const o = subj.O;
        return { username: String(subj.CN), groups: [...(Array.isArray(o) ? o : o ? [o] : []), 'system:authenticated'] };
      }
    }
    return undefined;
  }
}
