/**
 * The runtime's ContainerConfig for one container of a pod: command and args expanded
 * against the env, env, mounts (subPath, readOnly, propagation, termination log),
 * resources → cgroups and the pod + container securityContext merged.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, ContainerSecurity, Mount } from '../runtime/index.js';
import { CONTAINER_HASH, CONTAINER_KIND, CONTAINER_NAME, TERMINATION_MESSAGE_FILE, TERMINATION_MESSAGE_POLICY, podLabels, type ContainerKind } from '../labels.js';
import { expand } from './expand.js';
import { ContainerConfigError } from './objects.js';
import { containerResources } from './resources.js';

/** Hashes by container spec object: a pod version's objects are read-only and every sync compares them. */
const hashes = new WeakMap<Container, string>();

/** Hash of the fields whose change means the container must be restarted (image, command…). */
export function containerHash(c: Container): string {
  let h = hashes.get(c);
  if (h === undefined) {
    const { name, image, command, args, workingDir, env, envFrom, volumeMounts, securityContext, resources, ports } = c;
    h = createHash('sha256').update(JSON.stringify({ name, image, command, args, workingDir, env, envFrom, volumeMounts, securityContext, resources, ports })).digest('hex').slice(0, 16);
    hashes.set(c, h);
  }
  return h;
}

const PROPAGATION = { None: 'private', HostToContainer: 'rslave', Bidirectional: 'rshared' } as const;

export function securityOf(pod: Pod, c: Container): ContainerSecurity {
  const p = pod.spec?.securityContext ?? {};
  const s = c.securityContext ?? {};
  const sec: ContainerSecurity = {};
  const runAsUser = s.runAsUser ?? p.runAsUser;
  const runAsGroup = s.runAsGroup ?? p.runAsGroup;
  if (runAsUser !== undefined) sec.runAsUser = runAsUser;
  if (runAsGroup !== undefined) sec.runAsGroup = runAsGroup;
  const groups = [...(p.supplementalGroups ?? []), ...(p.fsGroup !== undefined ? [p.fsGroup] : [])];
  if (groups.length) sec.supplementalGroups = [...new Set(groups)];
  if (s.runAsNonRoot ?? p.runAsNonRoot) sec.runAsNonRoot = true;
  if (s.privileged) sec.privileged = true;
  if (s.capabilities) sec.capabilities = { add: [...(s.capabilities.add ?? [])], drop: [...(s.capabilities.drop ?? [])] };
  if (s.allowPrivilegeEscalation === false) sec.noNewPrivileges = true;
  if (s.readOnlyRootFilesystem) sec.readonlyRootfs = true;
  return sec;
}

export interface ConfigInput {
  pod: Pod;
  container: Container;
  kind: ContainerKind;
  attempt: number;
  env: { name: string; value: string }[];
  volumes: Map<string, string>;
  /** `<podDir>/containers/<name>`: termination-message files live here. */
  containerDir: string;
  logPath: string;
  nodeMemoryBytes: number;
}

function subPathOf(base: string, sub: string, volume: string): string {
  const n = normalize(sub);
  if (n.startsWith('/') || n === '..' || n.startsWith('../')) throw new ContainerConfigError('CreateContainerConfigError', `subPath "${sub}" of volume "${volume}" must be a relative path not leaving the volume`);
  return join(base, n);
}

export async function containerConfig(i: ConfigInput): Promise<ContainerConfig> {
  const c = i.container;
  const lookup = new Map(i.env.map(e => [e.name, e.value]));
  const exp = (s: string) => expand(s, n => lookup.get(n));
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const base = i.volumes.get(m.name);
    if (base === undefined) throw new ContainerConfigError('CreateContainerConfigError', `cannot find volume "${m.name}" to mount into container "${c.name}"`);
    let hostPath = base;
    const sub = m.subPathExpr ? exp(m.subPathExpr) : m.subPath;
    if (sub) {
      hostPath = subPathOf(base, sub, m.name);
      await mkdir(hostPath, { recursive: true }).catch(() => {}); // a file already there is fine
    }
    mounts.push({ containerPath: m.mountPath, hostPath, readonly: !!m.readOnly, propagation: PROPAGATION[(m.mountPropagation ?? 'None') as keyof typeof PROPAGATION] ?? 'private' });
  }
  const termPath = c.terminationMessagePath || '/dev/termination-log';
  const termFile = join(i.containerDir, `${i.attempt}.termination-log`);
  // Off the event loop: on a disk, creating the directories can take milliseconds.
  await mkdir(i.containerDir, { recursive: true });
  await writeFile(termFile, '', { mode: 0o666 });
  if (!mounts.some(m => m.containerPath === termPath)) mounts.push({ containerPath: termPath, hostPath: termFile });
  const labels = { ...podLabels(i.pod), [CONTAINER_NAME]: c.name };
  return {
    name: c.name, attempt: i.attempt, image: c.image ?? '',
    command: c.command?.map(exp), args: c.args?.map(exp), env: i.env,
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.tty ? { tty: true } : {}),
    mounts, resources: containerResources(i.pod, c, i.nodeMemoryBytes), security: securityOf(i.pod, c),
    logPath: i.logPath, labels,
    annotations: {
      [CONTAINER_KIND]: i.kind, [CONTAINER_HASH]: containerHash(c), [TERMINATION_MESSAGE_FILE]: termFile,
      [TERMINATION_MESSAGE_POLICY]: c.terminationMessagePolicy ?? 'File',
    },
  };
}
