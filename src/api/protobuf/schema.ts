/**
 * Typed view of the generated field table (schema.generated.ts), parsed per message on
 * first use, and the mapping from a request's apiVersion + kind to its top-level message.
 */
import { ROOTS, SCHEMA } from './schema.generated.js';

export type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double' | 'float';

export interface FieldSpec {
  /** JSON name (Kubernetes names proto fields after their JSON tags). */
  readonly name: string;
  /** A {@link Scalar} or a message short name such as `core.v1.PodSpec`. */
  readonly type: string;
  readonly isMessage: boolean;
  readonly shape: 'single' | 'repeated' | 'map';
  /** A Go pointer: presence is meaningful, so a zero value on the wire is kept. */
  readonly pointer: boolean;
  /** An embedded struct with `json:",inline"`: its fields merge into the parent object. */
  readonly inline: boolean;
}

export type MessageSpec = ReadonlyMap<number, FieldSpec>;

const SCALARS: ReadonlySet<string> = new Set<Scalar>(
  ['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

const ENTRY = /^(\.\.\.)?([A-Za-z][A-Za-z0-9]*) (\[\]|map<)?([A-Za-z0-9.]+)(>)?(\?)?$/;

const parsed = new Map<string, MessageSpec>();

/** Field table of a message, or undefined when the schema has no such message. */
export function messageSpec(name: string): MessageSpec | undefined {
  const hit = parsed.get(name);
  if (hit) return hit;
  const raw = Object.hasOwn(SCHEMA, name) ? SCHEMA[name] : undefined;
  if (!raw) return undefined;
  const spec = new Map<number, FieldSpec>();
  for (const [num, entry] of Object.entries(raw)) {
    const m = ENTRY.exec(entry);
    if (!m) throw new Error(`protobuf schema: bad entry ${name}.${num}: ${entry}`);
    const type = m[4]!;
    spec.set(Number(num), {
      name: m[2]!,
      type,
      isMessage: !SCALARS.has(type),
      shape: m[3] === '[]' ? 'repeated' : m[3] ? 'map' : 'single',
      pointer: m[6] === '?',
      inline: m[1] === '...',
    });
  }
  parsed.set(name, spec);
  return spec;
}

/** API group -> the package segment k8s.io/api uses for it. */
const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  autoscaling: 'autoscaling',
  policy: 'policy',
  'coordination.k8s.io': 'coordination',
  'discovery.k8s.io': 'discovery',
  'events.k8s.io': 'events',
  'scheduling.k8s.io': 'scheduling',
  'rbac.authorization.k8s.io': 'rbac',
  'networking.k8s.io': 'networking',
  'authentication.k8s.io': 'authentication',
  'storage.k8s.io': 'storage',
};

const ROOT_SET: ReadonlySet<string> = new Set(ROOTS);

/** Top-level message for an object's apiVersion and kind, if we decode that kind. */
export function rootMessage(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = Object.hasOwn(GROUP_PACKAGES, group) ? GROUP_PACKAGES[group] : undefined;
  if (!pkg) return undefined;
  const name = `${pkg}.${version}.${kind}`;
  return ROOT_SET.has(name) ? name : undefined;
}

/** Every apiVersion/kind a protobuf body may carry. */
export function protobufKinds(): Array<{ apiVersion: string; kind: string }> {
  const groups = new Map(Object.entries(GROUP_PACKAGES).map(([g, p]) => [p, g]));
  return ROOTS.map(root => {
    const [pkg, version, kind] = root.split('.') as [string, string, string];
    const group = groups.get(pkg) ?? '';
    return { apiVersion: group ? `${group}/${version}` : version, kind };
  });
}
