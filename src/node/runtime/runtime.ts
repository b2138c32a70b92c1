/**
 * The Runtime seam: what the node agent asks of a container runtime, shaped like CRI's
 * RuntimeService and ImageService but in plain TypeScript. The runc implementation is
 * ./runc; crun or a CRI client can sit behind the same interface.
 *
 * Contracts:
 * - Every method may be called concurrently; calls on different sandboxes never wait on
 *   each other. Stop and remove are idempotent (a missing id is not an error for them).
 * - State lives on disk: a new Runtime over the same directories (after an agent restart)
 *   lists and adopts everything, containers keep running and logging meanwhile, and exit
 *   codes of containers that ended while no agent ran are still reported.
 * - Faults are thrown as KubelingError subclasses from ./errors (their `reason` is the
 *   container-status reason); expected outcomes (a non-zero exit, OOMKilled) are values.
 */
import type { PortMapping } from './cni/cni.js';
import type { ImageSummary, ResolvedImage } from './images/store.js';
import type { ImportOptions } from './images/import.js';
import type { PullOptions } from './images/pull.js';

export type Labels = Record<string, string>;

export interface DnsConfig {
  servers: string[];
  searches?: string[];
  options?: string[];
}

export interface SandboxConfig {
  /** Pod metadata, kept for listing and adoption. */
  name: string;
  namespace: string;
  uid: string;
  attempt?: number;
  hostname: string;
  /** Fully qualified name written to /etc/hosts before the hostname (hostname.subdomain.ns.svc…). */
  fqdn?: string;
  labels?: Labels;
  annotations?: Labels;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  /** Containers join the pause's pid namespace (pause is their PID 1). */
  shareProcessNamespace?: boolean;
  /** Absent: the node's /etc/resolv.conf is copied. */
  dns?: DnsConfig;
  hostAliases?: { ip: string; hostnames: string[] }[];
  portMappings?: PortMapping[];
  /** Namespaced sysctls (net.*, kernel.shm*…), set in the sandbox. */
  sysctls?: Record<string, string>;
}

export type SandboxState = 'ready' | 'notready';

export interface SandboxStatus {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
  state: SandboxState;
  createdAt: Date;
  /** Pod IPs (IPv4 first); for hostNetwork pods empty (the agent reports the host IP). */
  ips: string[];
  /** The pause process on the host. */
  pid?: number;
  hostNetwork: boolean;
  labels: Labels;
  annotations: Labels;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  propagation?: 'private' | 'rslave' | 'rshared';
}

export interface ContainerResources {
  memoryLimitBytes?: number;
  /** CFS quota and period in microseconds (limits.cpu 500m → 50000/100000). */
  cpuQuota?: number;
  cpuPeriod?: number;
  cpuShares?: number;
  oomScoreAdj?: number;
}

export interface ContainerSecurity {
  /** Overrides the image's USER. */
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  /** Refuse to create when the resolved uid is 0. */
  runAsNonRoot?: boolean;
  privileged?: boolean;
  /** Names with or without CAP_, case-insensitive; `ALL` allowed. */
  capabilities?: { add?: string[]; drop?: string[] };
  noNewPrivileges?: boolean;
  readonlyRootfs?: boolean;
}

export interface ContainerConfig {
  name: string;
  attempt?: number;
  /** A reference or image id present in the image store. */
  image: string;
  /** Kubernetes semantics: command replaces the image Entrypoint, args its Cmd. */
  command?: string[];
  args?: string[];
  /** Added over the image's Env (same name wins here). */
  env?: { name: string; value: string }[];
  workingDir?: string;
  mounts?: Mount[];
  resources?: ContainerResources;
  security?: ContainerSecurity;
  /** Keep a stdin open for `kubectl attach -i` (the container spec's `stdin`). */
  stdin?: boolean;
  /** Run on a pty (the container spec's `tty`); its output is logged as stdout. */
  tty?: boolean;
  /** Where the CRI-format log goes; default inside the container's state dir. */
  logPath?: string;
  labels?: Labels;
  annotations?: Labels;
}

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  /** The image as asked for, and the id (config digest) it resolved to. */
  image: string;
  imageId: string;
  /** `repository@digest` of the image, when it came from a registry or archive. */
  imageRef: string;
  state: ContainerState;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  /** For exited containers: Completed, Error, OOMKilled, StartError or Unknown. */
  reason?: string;
  message?: string;
  pid?: number;
  logPath: string;
  labels: Labels;
  annotations: Labels;
}

export interface ListFilter {
  labels?: Labels;
  sandboxId?: string;
  state?: ContainerState | SandboxState;
}

export interface ExecOptions {
  cmd: string[];
  env?: string[];
  cwd?: string;
  /** Bytes to feed to the process's stdin (closed after). */
  input?: string | Buffer;
  /** Kill the exec after this long; the result then has timedOut. */
  timeoutMs?: number;
  /** Run on a pseudo-terminal (stderr then arrives on stdout). */
  tty?: boolean;
  /** With tty: the terminal's size from the start, so the command never sees 0x0. */
  consoleSize?: { cols: number; rows: number };
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

/** An interactive exec (kubectl exec): streams in both directions. */
export interface ExecSession {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  exited: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
  /** Resizes the pty (no effect without tty). */
  resize(cols: number, rows: number): void;
}

export interface ImageService {
  pull(ref: string, opts?: PullOptions): Promise<ResolvedImage>;
  resolve(ref: string): Promise<ResolvedImage>;
  has(ref: string): Promise<boolean>;
  list(): Promise<ImageSummary[]>;
  remove(ref: string): Promise<void>;
  importArchive(file: string, opts?: ImportOptions): Promise<string[]>;
}

export interface Runtime {
  readonly name: string;
  version(): Promise<{ name: string; version: string }>;
  readonly images: ImageService;

  /** Starts the pause container and its network; resolves when the pod has its IP. */
  runSandbox(config: SandboxConfig): Promise<SandboxStatus>;
  /** Kills every container of the pod and the pause, and releases the network. */
  stopSandbox(id: string): Promise<void>;
  /** stopSandbox, then removes its containers, runc state, cgroups and files. */
  removeSandbox(id: string): Promise<void>;
  sandboxStatus(id: string): Promise<SandboxStatus>;
  listSandboxes(filter?: ListFilter): Promise<SandboxStatus[]>;

  /** Prepares a container in a ready sandbox (image must be local); returns its id. */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stop signal (image StopSignal or SIGTERM), then SIGKILL after `timeoutSeconds`. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: ListFilter): Promise<ContainerStatus[]>;
  /** Resolves once the container has exited (immediately if it has). */
  waitContainer(id: string, signal?: AbortSignal): Promise<ContainerStatus>;
  /** Re-opens the log file after the agent rotated it. */
  reopenContainerLog(id: string): Promise<void>;

  /** Runs a command in a running container and collects its output (probes, hooks). */
  exec(id: string, opts: ExecOptions): Promise<ExecResult>;
  /** Runs a command with live streams (kubectl exec, with or without a tty). */
  execStream(id: string, opts: Omit<ExecOptions, 'input' | 'timeoutMs'>): ExecSession;
  /**
   * kubectl attach: a writer into the stdin of a container created with `stdin`, or
   * undefined when it has none. Destroying the writer leaves the container's stdin open.
   */
  attachStdin?(id: string): (NodeJS.WritableStream & { destroy(): void }) | undefined;
  /** kubectl attach -t: resizes the pty of a container created with `tty` (no effect otherwise). */
  resizeTty?(id: string, cols: number, rows: number): void;
}
