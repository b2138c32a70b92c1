/**
 * Faults of the runtime layer. Each carries a stable `code`; `reason` is the Kubernetes
 * container-status reason the node agent reports for it (ErrImagePull, InvalidImageName…).
 */
import { KubelingError } from '../../api/errors.js';

function runtimeError(code: string, httpStatus: number, reason: string) {
  return class extends KubelingError {
    override readonly code = code;
    override readonly httpStatus = httpStatus;
    override readonly reason = reason;
  };
}

/** A reference that does not parse (`Foo/Bar`, `a:b:c`). */
export class InvalidImageNameError extends runtimeError('KL_INVALID_IMAGE_NAME', 400, 'InvalidImageName') {}
/** The image is not in the local store. */
export class ImageNotFoundError extends runtimeError('KL_IMAGE_NOT_FOUND', 404, 'ErrImageNeverPull') {}
/** A pull failed: registry unreachable, auth refused, manifest unknown, digest mismatch. */
export class ImagePullError extends runtimeError('KL_IMAGE_PULL', 502, 'ErrImagePull') {}
/** Content whose sha256 is not the one it was asked for. */
export class DigestMismatchError extends runtimeError('KL_DIGEST_MISMATCH', 502, 'ErrImagePull') {}
/** A malformed archive, manifest, config or layer. */
export class InvalidImageError extends runtimeError('KL_INVALID_IMAGE', 400, 'InvalidImage') {}
/** The image is used by a container and cannot be removed. */
export class ImageInUseError extends runtimeError('KL_IMAGE_IN_USE', 409, 'Conflict') {}
/** No sandbox or container with that id. */
export class RuntimeNotFoundError extends runtimeError('KL_RUNTIME_NOT_FOUND', 404, 'NotFound') {}
/** The container could not be created from its config (bad user, sandbox not ready). */
export class CreateContainerError extends runtimeError('KL_CREATE_CONTAINER', 500, 'CreateContainerError') {}
/** runc refused to start the process (missing executable, bad mount…). */
export class StartContainerError extends runtimeError('KL_START_CONTAINER', 500, 'StartError') {}
/** A CNI plugin failed; `details` carries the plugin's code and message. */
export class CniError extends runtimeError('KL_CNI', 500, 'NetworkPluginError') {}
/** A runtime command failed for a reason not listed above. */
export class RuntimeCommandError extends runtimeError('KL_RUNTIME_COMMAND', 500, 'InternalError') {}
