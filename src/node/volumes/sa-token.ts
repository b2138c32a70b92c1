/**
 * The `serviceAccountToken` projection (upstream's kubelet token manager): the agent asks
 * the API server for a token bound to the pod (serviceaccounts/<name>/token), keeps it,
 * and fetches a new one once 80% of its life has passed or it is 24 h old (minus up to
 * 10 s of jitter, so pods started together do not renew together). Volumes are re-mounted
 * on every pod sync, so a renewed token reaches the file within a resync. A fetch in flight
 * is shared: the volume manager starts it before making the volume's dirs (prefetch), and
 * the payload then waits for that same request.
 */
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/index.js';

interface Held { token: string; renewAt: number }

const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const held = new Map<string, Held>();
/** Fetches in flight by key; one removed by forgetTokens does not fill `held` when it ends. */
const inflight = new Map<string, Promise<string>>();

/** When a token issued at `now` for `seconds`, expiring at `expiresAt`, must be replaced. */
export function renewAt(now: number, seconds: number, expiresAt: number, jitterMs = Math.random() * 10_000): number {
  const issuedAt = expiresAt - seconds * 1000;
  return Math.min(issuedAt + MAX_TTL_MS, expiresAt - seconds * 200) - jitterMs;
}

export class TokenError extends Error {}

const keyOf = (pod: Pod, t: ServiceAccountTokenProjection) =>
  `${pod.metadata!.uid}/${pod.spec?.serviceAccountName ?? ''}/${t.audience ?? ''}/${t.expirationSeconds ?? 3600}`;

/** The pod's token for this projection, fetched or renewed when due. */
export function projectedToken(client: Client, pod: Pod, t: ServiceAccountTokenProjection, now = Date.now()): Promise<string> {
  const key = keyOf(pod, t);
  const hit = held.get(key);
  if (hit && hit.renewAt > now) return Promise.resolve(hit.token);
  let fetching = inflight.get(key);
  if (!fetching) {
    const p: Promise<string> = fetchToken(client, pod, t, now).then(r => {
      if (inflight.get(key) === p) held.set(key, r.held);
      return r.held.token;
    }).finally(() => { if (inflight.get(key) === p) inflight.delete(key); });
    inflight.set(key, fetching = p);
  }
  return fetching;
}

/**
 * Starts fetching the tokens a pod's projected volumes need: the API's answer is the slow
 * part of setting up such a volume, so it runs while the volume's dirs and tmpfs are made.
 */
export function prefetchTokens(client: Client, pod: Pod): void {
  for (const v of pod.spec?.volumes ?? []) {
    for (const s of v.projected?.sources ?? []) {
      if (s.serviceAccountToken) projectedToken(client, pod, s.serviceAccountToken).catch(() => { /* the mount reports it */ });
    }
  }
}

async function fetchToken(client: Client, pod: Pod, t: ServiceAccountTokenProjection, now: number): Promise<{ held: Held }> {
  const seconds = t.expirationSeconds ?? 3600;
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
  return { held: { token, renewAt: renewAt(now, seconds, exp) } };
}

/** Drops the tokens of a pod that is gone from this node. */
export function forgetTokens(uid: string): void {
  for (const k of held.keys()) if (k.startsWith(`${uid}/`)) held.delete(k);
  for (const k of inflight.keys()) if (k.startsWith(`${uid}/`)) inflight.delete(k);
}
