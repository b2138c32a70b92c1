/**
 * Authentication: a TLS client certificate signed by the cluster CA, or a bearer
 * token from the server's token table. RBAC comes later: every authenticated user is admin.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  username: string;
  groups: string[];
}

export class Authenticator {
  #tokens: Map<string, UserInfo>;
  constructor(tokens: Map<string, UserInfo> = new Map()) { this.#tokens = tokens; }

  addToken(token: string, user: UserInfo): void { this.#tokens.set(token, user); }

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
