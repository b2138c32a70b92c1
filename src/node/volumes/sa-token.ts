/**
 * The `serviceAccountToken` projection (upstream's kubelet token manager): the agent asks
 * the API server for a token bound to the pod (serviceaccounts/<name>/token), keeps it,
 * and fetches a new one once 80% of its life has passed or it is 24 h old (minus up to
 * 10 s of jitter, so pods started together do not renew together). Volumes are re-mounted
 * on every pod sync, so a renewed token reaches the file within a resync.
 */
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/index.js';

interface Held { token: string; renewAt: number }

const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const held = new Map<string, Held>();

/** When a token issued at `now` for `seconds`, expiring at `expiresAt`, must be replaced. */
export function renewAt(now: number, seconds: number, expiresAt: number, jitterMs = Math.random() * 10_000): number {
  const issuedAt = expiresAt - seconds * 1000;
  return Math.min(issuedAt + MAX_TTL_MS, expiresAt - seconds * 200) - jitterMs;
}

export class TokenError extends Error {}

/** The pod's token for this projection, fetched or renewed when due. */
export async function projectedToken(client: Client, pod: Pod, t: ServiceAccountTokenProjection, now = Date.now()): Promise<string> {
  const seconds = t.expirationSeconds ?? 3600;
  const key = `${pod.metadata!.uid}/${pod.spec?.serviceAccountName ?? ''}/${t.audience ?? ''}/${seconds}`;
  const hit = held.get(key);
  if (hit && hit.renewAt > now) return hit.token;
  const sa = pod.spec?.serviceAccountName || 'default';
  const res = await client.requestJson<{ status?: { token?: string; expirationTimestamp?: string } }>({
    method: 'POST', path: `/api/v1/namespaces/${pod.metadata!.namespace}/serviceaccounts/${sa}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      spec: {
        audiences: t.audience ? [t.audience] : [], expirationSeconds: seconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid },
      },
    },
  }).catch(e => { throw new TokenError(`failed to fetch token: ${(e as Error).message}`); });
  const token = res.status?.token;
  if (!token) throw new TokenError('failed to fetch token: empty TokenRequest status');
  const exp = Date.parse(res.status?.expirationTimestamp ?? '') || now + seconds * 1000;
  held.set(key, { token, renewAt: renewAt(now, seconds, exp) });
  return token;
}

/** Drops the tokens of a pod that is gone from this node. */
export function forgetTokens(uid: string): void {
  for (const k of held.keys()) if (k.startsWith(`${uid}/`)) held.delete(k);
}
