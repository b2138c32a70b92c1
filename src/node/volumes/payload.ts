/**
 * The files of configMap, secret, downwardAPI and projected volumes (upstream's
 * MakePayload functions): items select keys and paths, modes default per volume, and
 * missing required objects or keys fail the mount with upstream's messages.
 */
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, ServiceAccountTokenProjection, Volume } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/index.js';
import { fieldRefValue, resourceFieldValue, type PodRuntimeFacts } from '../containers/downward.js';
import type { ObjectSource } from '../containers/objects.js';
import type { Payload } from './atomic-writer.js';
import { projectedToken } from './sa-token.js';

const DEFAULT_MODE = 0o644;

export class MountError extends Error {}

function keyed(kind: string, name: string, data: Map<string, Buffer>, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean, out: Payload): void {
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (!v) {
      if (optional) continue;
      throw new MountError(`${kind} references non-existent config key: ${it.key}`);
    }
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

const cmData = (cm: ConfigMap) => new Map<string, Buffer>([
  ...Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v)] as [string, Buffer]),
  ...Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')] as [string, Buffer]),
]);
const secretData = (s: Secret) => new Map<string, Buffer>(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));

async function configMapInto(src: ObjectSource, ns: string, name: string, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean, out: Payload): Promise<void> {
  const cm = await src.configMap(ns, name);
  if (!cm) {
    if (optional) return;
    throw new MountError(`configmap "${name}" not found`);
  }
  keyed('configMap', name, cmData(cm), items, mode, optional, out);
}

async function secretInto(src: ObjectSource, ns: string, name: string, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean, out: Payload): Promise<void> {
  const s = await src.secret(ns, name);
  if (!s) {
    if (optional) return;
    throw new MountError(`secret "${name}" not found`);
  }
  keyed('secret', name, secretData(s), items, mode, optional, out);
}

function downwardInto(pod: Pod, items: readonly DownwardAPIVolumeFile[] | undefined, mode: number, facts: PodRuntimeFacts, out: Payload): void {
  for (const it of items ?? []) {
    let v = '';
    if (it.fieldRef) v = fieldRefValue(pod, it.fieldRef, facts);
    else if (it.resourceFieldRef) v = resourceFieldValue(pod, it.resourceFieldRef, undefined, facts);
    out.set(it.path, { data: Buffer.from(v), mode: it.mode ?? mode });
  }
}

async function tokenInto(client: Client, pod: Pod, t: ServiceAccountTokenProjection, mode: number, out: Payload): Promise<void> {
  // Upstream: the projection's mode, but 0600 when an fsGroup will open it to the group.
  const fileMode = pod.spec?.securityContext?.fsGroup !== undefined ? 0o600 : mode;
  try {
    out.set(t.path, { data: Buffer.from(await projectedToken(client, pod, t)), mode: fileMode });
  } catch (e) {
    throw new MountError((e as Error).message);
  }
}

export interface PayloadContext {
  pod: Pod;
  objects: ObjectSource;
  client: Client;
  facts: PodRuntimeFacts;
}

/** The payload of a projected-type volume, or undefined for other volume types. */
export async function volumePayload(v: Volume, cx: PayloadContext): Promise<Payload | undefined> {
  const ns = cx.pod.metadata?.namespace ?? 'default';
  const out: Payload = new Map();
  if (v.configMap) {
    await configMapInto(cx.objects, ns, v.configMap.name!, v.configMap.items, v.configMap.defaultMode ?? DEFAULT_MODE, !!v.configMap.optional, out);
  } else if (v.secret) {
    await secretInto(cx.objects, ns, v.secret.secretName!, v.secret.items, v.secret.defaultMode ?? DEFAULT_MODE, !!v.secret.optional, out);
  } else if (v.downwardAPI) {
    downwardInto(cx.pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, cx.facts, out);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) await configMapInto(cx.objects, ns, s.configMap.name!, s.configMap.items, mode, !!s.configMap.optional, out);
      else if (s.secret) await secretInto(cx.objects, ns, s.secret.name!, s.secret.items, mode, !!s.secret.optional, out);
      else if (s.downwardAPI) downwardInto(cx.pod, s.downwardAPI.items, mode, cx.facts, out);
      else if (s.serviceAccountToken) await tokenInto(cx.client, cx.pod, s.serviceAccountToken, mode, out);
      else if (s.clusterTrustBundle) throw new MountError('clusterTrustBundle projections are not supported');
    }
  } else {
    return undefined;
  }
  return out;
}
