/** Minimal structural types for objects on the wire. Full shapes come from kubernetes-types. */
import type { ObjectMeta as ROObjectMeta, OwnerReference as ROOwnerReference } from 'kubernetes-types/meta/v1.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** kubernetes-types marks fields readonly; the server fills metadata, so ours is writable. */
export type ObjectMeta = Mutable<Omit<ROObjectMeta, 'finalizers' | 'ownerReferences' | 'labels' | 'annotations'>> & {
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
export type OwnerReference = Mutable<ROOwnerReference>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  // Spec and status shapes vary per kind; handlers treat them structurally.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  [key: string]: unknown;
}
