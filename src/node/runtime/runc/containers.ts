/**
 * App containers: create writes the bundle (config.json joining the pause's namespaces,
 * the rootfs mount point; on the run tmpfs) and the empty overlay upper/work dirs (on disk); start has the shim mount the overlay and `runc run -d` it; status
 * is read from the record, the shim's exit.json and /proc, without spawning anything.
 */
import { closeSync, constants as fsConstants, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { constants } from 'node:os';
import { CreateContainerError, StartContainerError } from '../errors.js';
import { isAlive, isMountPoint, procStartTime, run } from '../proc.js';
import type { ContainerConfig, ContainerStatus } from '../runtime.js';
import { effectiveCapabilities } from './capabilities.js';
import { oomFile } from './cgroups.js';
import { diskDir, newId, overlayOptions, type RuncContext } from './context.js';
import { containerSpec, mergeEnv, processArgs } from './oci-spec.js';
import { mountTargetsLayer } from './mount-targets.js';
import { podFilePaths } from './pod-files.js';
import type { ContainerRecord } from './records.js';
import { deleteExited } from './runc-state.js';
import { bundleFiles, launch, readExit, waitForExit } from './shim.js';
import { resolveUser } from './user.js';

export async function createContainer(ctx: RuncContext, sandboxId: string, cfg: ContainerConfig): Promise<string> {
  const sb = await ctx.sandboxes.get(sandboxId);
  if (sb.stopped || !(await isAlive(sb.pid, sb.pidStart))) throw new CreateContainerError(`sandbox ${sandboxId} is not ready`);
  const id = newId();
  const dir = ctx.containers.pathOf(id);
  const disk = diskDir(ctx, 'containers', id);
  const logPath = cfg.logPath ?? join(disk, 'container.log');
  const [img] = await Promise.all([
    ctx.images.resolve(cfg.image),
    mkdir(join(dir, 'rootfs'), { recursive: true }),
    Promise.all(['upper', 'work'].map(d => mkdir(join(disk, d), { recursive: true }))),
    mkdir(dirname(logPath), { recursive: true }),
  ]);
  const sec = cfg.security ?? {};
  const user = await resolveUser(img.layers.map(l => l.dir), img.config.User, sec);
  if (sec.runAsNonRoot && user.uid === 0) throw new CreateContainerError(`container ${cfg.name} has runAsNonRoot and image will run as root`);
  const args = processArgs(img.config, cfg.command, cfg.args);
  if (!args.length) throw new CreateContainerError(`container ${cfg.name}: no command specified`);
  const spec = containerSpec({
    rootfs: join(dir, 'rootfs'), readonlyRootfs: !!sec.readonlyRootfs, args,
    env: mergeEnv(img.config.Env, [{ name: 'HOSTNAME', value: sb.hostname }, ...(cfg.env ?? [])]),
    cwd: cfg.workingDir || img.config.WorkingDir || '/', ...user,
    capabilities: effectiveCapabilities({ privileged: sec.privileged, ...sec.capabilities }).filter(c => ctx.boundingCaps.has(c)),
    noNewPrivileges: !!sec.noNewPrivileges, privileged: !!sec.privileged, ns: sb, pausePid: sb.pid!,
    cgroupsPath: `${sb.cgroupPath}/${id}`, resources: cfg.resources,
    podFiles: podFilePaths(ctx.sandboxes.pathOf(sandboxId)), mounts: cfg.mounts ?? [], minOomScoreAdj: ctx.minOomScoreAdj,
    terminal: !!cfg.tty,
  });
  const rec: ContainerRecord = {
    id, sandboxId, name: cfg.name, attempt: cfg.attempt ?? 0, image: cfg.image, imageId: img.id,
    imageRef: img.repoDigests[0] ?? img.id, labels: cfg.labels ?? {}, annotations: cfg.annotations ?? {},
    logPath, createdAt: new Date().toISOString(), cgroupPath: `${sb.cgroupPath}/${id}`,
    overlay: overlayOptions(img, disk, await mountTargetsLayer(ctx.mountTargetsDir, img)), stopSignal: img.config.StopSignal, ...(cfg.stdin ? { stdin: true } : {}), ...(cfg.tty ? { tty: true } : {}),
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec)); // on the run tmpfs: see RecordStore.put
  await ctx.containers.put(rec);
  return id;
}

export async function startContainer(ctx: RuncContext, id: string): Promise<void> {
  const rec = await ctx.containers.get(id);
  if (rec.startedAt) throw new StartContainerError(`container ${id} was already started`);
  const dir = ctx.containers.pathOf(id);
  rec.startedAt = new Date().toISOString();
  try {
    const { pid, shimPid } = await launch(ctx.spawner, {
      shim: ctx.shim, runc: ctx.runc.bin, sealedRunc: ctx.sealedRunc, runcRoot: ctx.runc.root, id, bundle: dir, log: rec.logPath,
      oomFile: oomFile(rec.cgroupPath), stdin: rec.stdin ? stdinFifo(dir) : undefined, resize: rec.tty ? resizeFifo(dir) : undefined, overlay: { options: rec.overlay, rootfs: join(dir, 'rootfs'), layersDir: ctx.images.layersDir, mount: ctx.runMount },
    });
    // Start times guard every later signal against PID reuse; 'gone' = exited already.
    const [pidStart, shimStart] = await Promise.all([procStartTime(pid), procStartTime(shimPid)]);
    Object.assign(rec, { pid, shimPid, pidStart: pidStart ?? 'gone', shimStart: shimStart ?? 'gone' });
  } catch (e) {
    // Recorded as exited with 128, like containerd's StartError.
    await writeFile(bundleFiles(dir).exit, JSON.stringify({ pid: 0, exitCode: 128, signal: 0, oomKilled: false, finishedAt: new Date().toISOString(), startError: (e as Error).message }));
    throw e;
  } finally {
    await ctx.containers.put(rec);
  }
}

/** Where a container with `stdin` reads from (made by the shim). */
export const stdinFifo = (dir: string) => join(dir, 'stdin');

/** Where a container with `tty` takes terminal sizes (made by the shim). */
export const resizeFifo = (dir: string) => join(dir, 'resize');

/** Sends a terminal size to the shim of a tty container; a container without one ignores it. */
export function resizeTty(dir: string, cols: number, rows: number): void {
  let fd: number | undefined;
  try {
    fd = openSync(resizeFifo(dir), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    writeSync(fd, `${rows} ${cols}\n`);
  } catch { /* no tty, or the container is gone */ } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A writer into the stdin FIFO; never blocks the agent (a pipe handle, not a file). */
export function openStdin(dir: string): (Socket & { destroy(): void }) | undefined {
  let fd: number;
  try { fd = openSync(stdinFifo(dir), fsConstants.O_RDWR | fsConstants.O_NONBLOCK); } catch { return undefined; }
  return new Socket({ fd, readable: false, writable: true });
}

export async function containerStatus(ctx: RuncContext, rec: ContainerRecord): Promise<ContainerStatus> {
  const base: ContainerStatus = {
    id: rec.id, sandboxId: rec.sandboxId, name: rec.name, attempt: rec.attempt, image: rec.image, imageId: rec.imageId,
    imageRef: rec.imageRef, state: 'created', createdAt: new Date(rec.createdAt), logPath: rec.logPath,
    labels: rec.labels, annotations: rec.annotations,
    ...(rec.startedAt ? { startedAt: new Date(rec.startedAt) } : {}), ...(rec.pid ? { pid: rec.pid } : {}),
  };
  if (!rec.startedAt) return base;
  const exit = (await readExit(ctx.containers.pathOf(rec.id))) as (Awaited<ReturnType<typeof readExit>> & { startError?: string }) | undefined;
  if (exit) {
    const reason = exit.startError ? 'StartError' : exit.oomKilled ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error';
    return { ...base, state: 'exited', exitCode: exit.exitCode, reason, finishedAt: new Date(exit.finishedAt), ...(exit.startError ? { message: exit.startError } : {}) };
  }
  // Alive, or the shim is still draining its output: running. Neither: the shim was killed.
  if ((await isAlive(rec.pid, rec.pidStart)) || (await isAlive(rec.shimPid, rec.shimStart))) return { ...base, state: 'running' };
  if (await readExit(ctx.containers.pathOf(rec.id))) return containerStatus(ctx, rec); // the shim finished between the two looks
  return { ...base, state: 'exited', exitCode: 255, reason: 'Unknown', message: 'the container\'s shim is gone; exit status lost', finishedAt: new Date() };
}

function signalOf(name: string | undefined): NodeJS.Signals | number {
  if (!name) return 'SIGTERM';
  if (/^\d+$/.test(name)) return Number(name);
  const n = name.toUpperCase().startsWith('SIG') ? name.toUpperCase() : `SIG${name.toUpperCase()}`;
  return n in constants.signals ? (n as NodeJS.Signals) : 'SIGTERM';
}

/** Stop signal, up to `timeoutSeconds` of grace, then SIGKILL; resolves once exited. */
export async function stopAndKill(ctx: RuncContext, rec: ContainerRecord, timeoutSeconds: number): Promise<void> {
  const dir = ctx.containers.pathOf(rec.id);
  if (!rec.startedAt || (await readExit(dir))) return;
  const send = async (sig: NodeJS.Signals | number) => {
    if (!(await isAlive(rec.pid, rec.pidStart))) return;
    try { process.kill(rec.pid!, sig); } catch { /* exited meanwhile */ }
  };
  if (!(await isAlive(rec.pid, rec.pidStart)) && !(await isAlive(rec.shimPid, rec.shimStart))) return;
  if (timeoutSeconds > 0) {
    await send(signalOf(rec.stopSignal));
    if (await waitForExit(dir, timeoutSeconds * 1000)) return;
  }
  await send('SIGKILL');
  await waitForExit(dir, 10_000);
}

export async function removeContainer(ctx: RuncContext, id: string): Promise<void> {
  const rec = await ctx.containers.find(id);
  if (!rec) return;
  await stopAndKill(ctx, rec, 0);
  const dir = ctx.containers.pathOf(id);
  if (rec.pid) await deleteExited(ctx.runc, id, rec.cgroupPath);
  const rootfs = join(dir, 'rootfs');
  // A shim that wrote exit.json has unmounted the rootfs (or it was never in our namespace);
  // only one that died before could have left it mounted (and the mount table is long).
  if (rec.startedAt && !(await readExit(dir)) && (await isMountPoint(rootfs))) await run('umount', ['-l', rootfs], { allowFailure: true });
  rmSync(dir, { recursive: true, force: true }); // the run tmpfs: microseconds, no thread-pool round trips
  await rm(diskDir(ctx, 'containers', id), { recursive: true, force: true });
  ctx.containers.forget(id);
}
