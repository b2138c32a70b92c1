/**
 * The ServiceAccount admission step (upstream's plugin/pkg/admission/serviceaccount) for
 * new pods: serviceAccountName defaults to `default`; the account must exist (the
 * `default` one is looked up ten times, 100-200 ms apart, since its controller may be a
 * moment behind a new namespace — on a server without that controller, a missing `default`
 * admits the pod without a token instead); unless automount is off (pod first, then account),
 * every container and init container gets the `kube-api-access-<5>` projected volume
 * (token + ca.crt + namespace) at /var/run/secrets/kubernetes.io/serviceaccount; the
 * account's imagePullSecrets are copied when the pod names none.
 */
import { ForbiddenError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Registry } from '../registry.js';
import { decode } from '../storage/codec.js';
import { randomSuffix } from './meta.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
const MIRROR = 'kubernetes.io/config.mirror';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** The projected volume source upstream's TokenVolumeSource() returns. */
export function tokenVolumeSource(): Obj {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

async function lookup(registry: Registry, ns: string, name: string): Promise<KubeObject | undefined> {
  const rs = registry.byName('', 'v1', 'serviceaccounts');
  // Waiting for `default` only makes sense where a controller will create it.
  const attempts = name === 'default' && registry.requireServiceAccount ? 10 : 1;
  const pause = 100 + Math.floor(Math.random() * 100);
  for (let i = 0; i < attempts; i++) {
    if (i) await new Promise(r => setTimeout(r, pause));
    const kv = await rs.getKv(ns, name);
    if (kv) return decode(kv); // shared and read-only here: pull secrets are copied
  }
  return undefined;
}

function mountToken(spec: Obj): void {
  const volumes = list(spec.volumes);
  const existing = volumes.find(v => typeof v.name === 'string' && v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const name = (existing?.name as string | undefined) ?? `${TOKEN_VOLUME_PREFIX}${randomSuffix()}`;
  let needed = false;
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) {
    const mounts = list(c.volumeMounts);
    // A container that mounts something at the path already keeps it.
    if (mounts.some(m => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
    needed = true;
  }
  if (!existing && needed) spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), { name, projected: tokenVolumeSource() }];
}

export async function admitServiceAccount(registry: Registry, pod: KubeObject): Promise<void> {
  const spec = pod.spec as Obj;
  const podName = pod.metadata?.name ?? '';
  const ns = pod.metadata!.namespace!;
  const forbid = (msg: string) => new ForbiddenError(`pods "${podName}" is forbidden: ${msg}`, { name: podName, kind: 'pods' });
  if (isObj(pod.metadata?.annotations) && MIRROR in pod.metadata.annotations) {
    // The kubelet deletes mirror pods whose spec differs from its own: leave them alone, but keep them from credentials.
    if (spec.serviceAccountName || spec.serviceAccount) throw forbid('a mirror pod may not reference service accounts');
    if (list(spec.volumes).some(v => v.secret || v.configMap || (isObj(v.projected) && list(v.projected.sources).some(s => s.secret || s.configMap || s.serviceAccountToken)))) {
      throw forbid('a mirror pod may not reference secrets, configmaps or service account tokens');
    }
    return;
  }
  const name = (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) || (typeof spec.serviceAccount === 'string' && spec.serviceAccount) || 'default';
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
  const sa = await lookup(registry, ns, name);
  if (!sa) {
    // Pods that want no token do not need the account; nor does `default` where no controller makes it.
    if (spec.automountServiceAccountToken === false || (name === 'default' && !registry.requireServiceAccount)) return;
    throw forbid(`error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`);
  }
  const automount = typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : sa.automountServiceAccountToken !== false;
  if (automount) mountToken(spec);
  const pull = list(sa.imagePullSecrets);
  if (!list(spec.imagePullSecrets).length && pull.length) spec.imagePullSecrets = pull.map(p => ({ ...p }));
}
