/** The node's container runtime: the Runtime seam, its runc implementation, images, CNI. */
export type {
  ContainerConfig, ContainerResources, ContainerSecurity, ContainerState, ContainerStatus, DnsConfig, ExecOptions,
  ExecResult, ExecSession, ImageService, Labels, ListFilter, Mount, Runtime, SandboxConfig, SandboxState, SandboxStatus,
} from './runtime.js';
export { RuncRuntime, type RuncRuntimeOptions } from './runc/runc-runtime.js';
export { CniNetwork, type CniNetworkOptions, type CniResult, type PortMapping } from './cni/cni.js';
export { ImageStore, type ImageStoreOptions, type ImageSummary, type LayerInfo, type ResolvedImage } from './images/store.js';
export type { PullOptions, PullProgress } from './images/pull.js';
export type { ImportOptions } from './images/import.js';
export type { ImageRunConfig } from './images/media-types.js';
export { familiarName, formatReference, normalizeReference, parseReference, type ImageReference } from './images/reference.js';
export { buildSetupImages, BUSYBOX_IMAGE, PAUSE_ALIASES, PAUSE_IMAGE, type BuildSetupImagesOptions } from './images/build-cli.js';
export { ensurePause, ensureShim } from './native.js';
export * from './errors.js';
