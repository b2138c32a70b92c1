/** Shared fixtures for the patch tests: frozen inputs (purity checks) and error matching. */
import assert from 'node:assert/strict';
import { KubelingError } from '../../src/api/errors.js';

/** Freezes recursively, so any mutation of a test input throws in strict mode. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

export interface WantError { status: number; reason?: string; message?: string | RegExp }

/** Asserts `fn` throws a KubelingError with the given HTTP status (and message). */
export function assertFails(fn: () => unknown, want: WantError): KubelingError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KubelingError, `want a KubelingError, got ${String(caught)}`);
  assert.equal(caught.httpStatus, want.status, caught.message);
  if (want.reason) assert.equal(caught.reason, want.reason);
  if (typeof want.message === 'string') assert.equal(caught.message, want.message);
  else if (want.message) assert.match(caught.message, want.message);
  return caught;
}

type J = Record<string, unknown>;

export const container = (name: string, image = 'nginx', extra: J = {}): J => ({ name, image, ...extra });

export function pod(spec: J, metadata: J = {}): J {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...metadata }, spec };
}

export function deployment(podSpec: J, extra: { replicas?: number; metadata?: J; spec?: J } = {}): J {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default', ...(extra.metadata ?? {}) },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: podSpec },
      ...(extra.spec ?? {}),
    },
  };
}

export const POD = { kind: 'Pod', apiVersion: 'v1' } as const;
export const DEPLOY = { kind: 'Deployment', apiVersion: 'apps/v1' } as const;
