/**
 * A container's environment as the kubelet builds it: service links first, then envFrom,
 * then env in order (later wins), each value `$(VAR)`-expanded against what came before.
 * Missing required ConfigMaps/Secrets/keys are CreateContainerConfigError with upstream's words.
 */
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import { fieldRefValue, resourceFieldValue, type PodRuntimeFacts } from './downward.js';
import { expand } from './expand.js';
import { ContainerConfigError, type ObjectSource } from './objects.js';

const configError = (msg: string) => new ContainerConfigError('CreateContainerConfigError', msg);
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** FOO_SERVICE_HOST, FOO_PORT_80_TCP… for each service with a cluster IP. */
export function serviceEnv(services: Service[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None' || !s.spec?.ports?.length) continue;
    const name = s.metadata!.name!.toUpperCase().replace(/-/g, '_');
    const first = s.spec.ports[0]!;
    env.set(`${name}_SERVICE_HOST`, ip);
    env.set(`${name}_SERVICE_PORT`, String(first.port));
    for (const p of s.spec.ports) if (p.name) env.set(`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, String(p.port));
    const proto = (p: { protocol?: string }) => (p.protocol ?? 'TCP').toLowerCase();
    env.set(`${name}_PORT`, `${proto(first)}://${ip}:${first.port}`);
    for (const p of s.spec.ports) {
      const pre = `${name}_PORT_${p.port}_${(p.protocol ?? 'TCP').toUpperCase()}`;
      env.set(pre, `${proto(p)}://${ip}:${p.port}`);
      env.set(`${pre}_PROTO`, proto(p));
      env.set(`${pre}_PORT`, String(p.port));
      env.set(`${pre}_ADDR`, ip);
    }
  }
  return env;
}

function linkedServices(pod: Pod, src: ObjectSource): Service[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const out = new Map<string, Service>();
  if (pod.spec?.enableServiceLinks !== false) for (const s of src.services(ns)) out.set(s.metadata!.name!, s);
  // The API server's own service is always linked, from the default namespace.
  const master = src.services('default').find(s => s.metadata?.name === 'kubernetes');
  if (master) out.set('kubernetes', master);
  return [...out.values()].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

/** Service-link variables by namespace and enableServiceLinks, while the services stay as they were. */
const linkCache = new WeakMap<ObjectSource, { version: number; env: Map<string, Map<string, string>> }>();

function serviceLinkEnv(pod: Pod, src: ObjectSource): Map<string, string> {
  const version = src.servicesVersion?.();
  if (version === undefined) return serviceEnv(linkedServices(pod, src));
  let c = linkCache.get(src);
  if (!c || c.version !== version) linkCache.set(src, (c = { version, env: new Map() }));
  const key = `${pod.metadata?.namespace ?? 'default'}/${pod.spec?.enableServiceLinks !== false}`;
  let env = c.env.get(key);
  if (!env) c.env.set(key, (env = serviceEnv(linkedServices(pod, src))));
  return new Map(env);
}

export async function containerEnv(pod: Pod, c: Container, src: ObjectSource, facts: PodRuntimeFacts): Promise<{ name: string; value: string }[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = serviceLinkEnv(pod, src);
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name!);
      if (!cm) { if (from.configMapRef.optional) continue; throw configError(`configmap "${from.configMapRef.name}" not found`); }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name!);
      if (!s) { if (from.secretRef.optional) continue; throw configError(`secret "${from.secretRef.name}" not found`); }
      for (const [k, v] of Object.entries(s.data ?? {})) env.set(prefix + k, decode(v));
    }
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) { env.set(e.name, expand(e.value ?? '', n => env.get(n))); continue; }
    if (vf.fieldRef) env.set(e.name, fieldRefValue(pod, vf.fieldRef, facts));
    else if (vf.resourceFieldRef) env.set(e.name, resourceFieldValue(pod, vf.resourceFieldRef, c, facts));
    else if (vf.configMapKeyRef) {
      const r = vf.configMapKeyRef;
      const cm = await src.configMap(ns, r.name!);
      if (!cm) { if (r.optional) continue; throw configError(`configmap "${r.name}" not found`); }
      const v = cm.data?.[r.key] ?? (cm.binaryData?.[r.key] !== undefined ? decode(cm.binaryData[r.key]!) : undefined);
      if (v === undefined) { if (r.optional) continue; throw configError(`couldn't find key ${r.key} in ConfigMap ${ns}/${r.name}`); }
      env.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const r = vf.secretKeyRef;
      const s = await src.secret(ns, r.name!);
      if (!s) { if (r.optional) continue; throw configError(`secret "${r.name}" not found`); }
      const v = s.data?.[r.key];
      if (v === undefined) { if (r.optional) continue; throw configError(`couldn't find key ${r.key} in Secret ${ns}/${r.name}`); }
      env.set(e.name, decode(v));
    }
  }
  return [...env].map(([name, value]) => ({ name, value }));
}
