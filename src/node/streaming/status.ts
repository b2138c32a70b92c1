/**
 * The final word of an exec/attach on the error channel (3), byte-compatible with the
 * kubelet: a metav1.Status without kind/apiVersion for v4/v5; for the pre-v4 protocols
 * only the error text, and nothing on success.
 */
import { V4_BASE64_CHANNEL, V4_CHANNEL, V5_CHANNEL } from './protocols.js';

export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export function successStatus(): ExecStatus {
  return { metadata: {}, status: 'Success' };
}

/**
 * A non-zero exit, worded as containerd's CodeExitError inside the kubelet's message:
 * `command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3`.
 * kubectl exits with the code from the ExitCode cause.
 */
export function exitStatus(command: readonly string[], exitCode: number): ExecStatus {
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** A runtime fault (`what` is e.g. "error executing command in container"), as apierrors.NewInternalError. */
export function internalErrorStatus(what: string, err: unknown): ExecStatus {
  const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  return {
    metadata: {}, status: 'Failure', message: `Internal error occurred: ${msg}`, reason: 'InternalError',
    details: { causes: [{ message: msg }] }, code: 500,
  };
}

/** The bytes to send on channel 3, or undefined when the protocol sends nothing. */
export function encodeStatus(protocol: string, s: ExecStatus): Buffer | undefined {
  if (protocol === V5_CHANNEL || protocol === V4_CHANNEL || protocol === V4_BASE64_CHANNEL) {
    return Buffer.from(JSON.stringify(s));
  }
  return s.status === 'Success' ? undefined : Buffer.from(s.message ?? 'unknown error');
}
