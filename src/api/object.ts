/** Minimal structural types for objects on the wire. Full shapes come from kubernetes-types. */
export type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: any;
  status?: any;
  [key: string]: unknown;
}
