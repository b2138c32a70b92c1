/**
 * Bearer service-account tokens as users (upstream's serviceaccount token authenticator):
 * a valid signature is not enough — the service account, and the pod, secret or node the
 * token is bound to, must still exist with the UIDs in the token (deleted more than 60 s
 * ago counts as gone), so deleting a pod revokes its tokens.
 */
import type { KubeObject } from '../../api/object.js';
import { findResource } from '../../api/resources.js';
import type { Registry } from '../registry.js';
import type { UserInfo } from './authenticate.js';
import type { ObjectRef, ServiceAccountTokens } from './sa-token.js';

const DELETION_GRACE_MS = 60_000;

async function stillThere(registry: Registry, plural: string, ns: string | undefined, ref: ObjectRef | undefined, now: number): Promise<boolean> {
  if (!ref) return true;
  const kv = await registry.for(findResource('', 'v1', plural)!).getKv(ns, ref.name);
  if (!kv) return false;
  const o = JSON.parse(kv.value.toString('utf8')) as KubeObject;
  if (o.metadata?.uid !== ref.uid) return false;
  const del = o.metadata?.deletionTimestamp;
  return !del || Date.parse(String(del)) > now - DELETION_GRACE_MS;
}

export async function serviceAccountUser(registry: Registry, tokens: ServiceAccountTokens, token: string, now = Date.now()): Promise<UserInfo | undefined> {
  const c = tokens.verify(token, now);
  if (!c) return undefined;
  const k = c['kubernetes.io'];
  const ns = k.namespace;
  const checks = await Promise.all([
    stillThere(registry, 'serviceaccounts', ns, k.serviceaccount, now),
    stillThere(registry, 'pods', ns, k.pod, now),
    stillThere(registry, 'secrets', ns, k.secret, now),
    stillThere(registry, 'nodes', undefined, k.node, now),
  ]);
  if (checks.includes(false)) return undefined;
  const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${c.jti}`] };
  if (k.pod) Object.assign(extra, { 'authentication.kubernetes.io/pod-name': [k.pod.name], 'authentication.kubernetes.io/pod-uid': [k.pod.uid] });
  if (k.node) Object.assign(extra, { 'authentication.kubernetes.io/node-name': [k.node.name], 'authentication.kubernetes.io/node-uid': [k.node.uid] });
  return {
    username: c.sub, uid: k.serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], extra,
  };
}
