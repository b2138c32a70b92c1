/**
 * Pod sandboxes: the pause container (through the shim, so it is reaped) with the pod's
 * namespaces, its network (CNI ADD on /proc/<pid>/ns/net) and per-pod files.
 * The record is written before anything runs, so a crash mid-way is cleaned up later.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, procStartTime } from '../proc.js';
import type { SandboxConfig, SandboxStatus } from '../runtime.js';
import { removeCgroup } from './cgroups.js';
import { diskDir, newId, overlayOptions, pauseImage, type RuncContext } from './context.js';
import { removeContainer, stopAndKill } from './containers.js';
import { sandboxSpec } from './oci-spec.js';
import { podFilePaths, writeHosts, writeResolvAndHostname } from './pod-files.js';
import type { SandboxRecord } from './records.js';
import { deleteExited } from './runc-state.js';
import { launch, waitForExit } from './shim.js';

export async function runSandbox(ctx: RuncContext, cfg: SandboxConfig): Promise<SandboxRecord> {
  const id = newId();
  const dir = ctx.sandboxes.pathOf(id);
  const rec: SandboxRecord = {
    id, name: cfg.name, namespace: cfg.namespace, uid: cfg.uid, attempt: cfg.attempt ?? 0, hostname: cfg.hostname,
    labels: cfg.labels ?? {}, annotations: cfg.annotations ?? {},
    hostNetwork: !!cfg.hostNetwork, hostPID: !!cfg.hostPID, hostIPC: !!cfg.hostIPC, shareProcessNamespace: !!cfg.shareProcessNamespace,
    createdAt: new Date().toISOString(), cgroupPath: `${ctx.cgroupParent}/pod${id}`,
    // networkAttached from the start: a crash anywhere below gets a CNI DEL, which is idempotent.
    ips: [], portMappings: cfg.portMappings ?? [], networkAttached: !cfg.hostNetwork, stopped: false,
  };
  await mkdir(podFilePaths(dir).shm, { recursive: true });
  const [pause] = await Promise.all([pauseImage(ctx), writeResolvAndHostname(dir, cfg), chmod(podFilePaths(dir).shm, 0o1777), ctx.sandboxes.put(rec)]);
  try {
    // A one-layer pause image is used in place, read-only; otherwise it gets an overlay.
    const direct = pause.layers.length === 1;
    const disk = diskDir(ctx, 'sandboxes', id);
    if (!direct) await Promise.all([mkdir(join(dir, 'rootfs')), ...['upper', 'work'].map(d => mkdir(join(disk, d), { recursive: true }))]);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(sandboxSpec({ // on the run tmpfs: see RecordStore.put
      rootfs: direct ? pause.layers[0]!.dir : join(dir, 'rootfs'), readonlyRootfs: true, hostname: cfg.hostname,
      ns: rec, cgroupsPath: `${rec.cgroupPath}/${id}`, sysctls: cfg.sysctls,
      args: [...(pause.config.Entrypoint ?? []), ...(pause.config.Cmd ?? [])], env: pause.config.Env ?? [],
      minOomScoreAdj: ctx.minOomScoreAdj,
    })));
    const { pid } = await launch(ctx.spawner, {
      shim: ctx.shim, runc: ctx.runc.bin, sealedRunc: ctx.sealedRunc, runcRoot: ctx.runc.root, id, bundle: dir,
      overlay: direct ? undefined : { options: overlayOptions(pause, disk), rootfs: join(dir, 'rootfs'), layersDir: ctx.images.layersDir, mount: ctx.runMount },
    });
    rec.pid = pid;
    rec.pidStart = await procStartTime(pid);
    if (!cfg.hostNetwork) {
      const net = await ctx.cni.add(id, `/proc/${pid}/ns/net`, rec.portMappings);
      rec.ips = net.ips;
      rec.cniResult = net.raw;
    }
    await Promise.all([writeHosts(dir, cfg, rec.ips), ctx.sandboxes.put(rec)]);
    return rec;
  } catch (e) {
    await removeSandbox(ctx, id).catch(() => {});
    throw e;
  }
}

export async function sandboxStatus(ctx: RuncContext, rec: SandboxRecord): Promise<SandboxStatus> {
  const ready = !rec.stopped && (await isAlive(rec.pid, rec.pidStart));
  return {
    id: rec.id, name: rec.name, namespace: rec.namespace, uid: rec.uid, attempt: rec.attempt,
    state: ready ? 'ready' : 'notready', createdAt: new Date(rec.createdAt), ips: rec.ips, pid: rec.pid,
    hostNetwork: rec.hostNetwork, labels: rec.labels, annotations: rec.annotations,
  };
}

/** Kills the pod's containers, releases its network, kills the pause. Idempotent. */
export async function stopSandbox(ctx: RuncContext, id: string): Promise<void> {
  const rec = await ctx.sandboxes.find(id);
  if (!rec) return;
  const mine = (await ctx.containers.all()).filter(c => c.sandboxId === id);
  await Promise.all(mine.map(c => stopAndKill(ctx, c, 0)));
  await stopPause(ctx, rec);
}

/** CNI DEL, then the pause killed; the record marked stopped. */
async function stopPause(ctx: RuncContext, rec: SandboxRecord): Promise<void> {
  const alive = await isAlive(rec.pid, rec.pidStart);
  if (rec.networkAttached) {
    await ctx.cni.del(rec.id, alive ? `/proc/${rec.pid}/ns/net` : '', rec.portMappings, rec.cniResult);
    rec.networkAttached = false;
  }
  if (alive) {
    try { process.kill(rec.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }
  rec.stopped = true;
  await ctx.sandboxes.put(rec);
}

/**
 * Stops the pod, then removes containers, the pause's runc state, cgroups and files.
 * Once the containers are dead, their removal (cgroups and runc state: runc-state.ts) runs
 * while the network is released and the pause stopped and deleted, side by side instead of
 * one after another (the order upstream needs, CNI DEL before the pause dies, is kept).
 */
export async function removeSandbox(ctx: RuncContext, id: string): Promise<void> {
  const rec = await ctx.sandboxes.find(id);
  if (!rec) return;
  const mine = (await ctx.containers.all()).filter(c => c.sandboxId === id);
  await Promise.all(mine.map(c => stopAndKill(ctx, c, 0)));
  const dir = ctx.sandboxes.pathOf(id);
  const steps = await Promise.allSettled([
    ...mine.map(c => removeContainer(ctx, c.id)),
    (async () => {
      await stopPause(ctx, rec);
      if (rec.pid) await waitForExit(dir, 5000); // the shim unmounts and reaps before it writes exit.json
      await deleteExited(ctx.runc, id, `${rec.cgroupPath}/${id}`);
    })(),
  ]);
  const failed = steps.find(r => r.status === 'rejected');
  if (failed) throw failed.reason; // the record stays: a later remove (or purge) tries again
  await removeCgroup(rec.cgroupPath);
  rmSync(dir, { recursive: true, force: true }); // the run tmpfs: microseconds, no thread-pool round trips
  await rm(diskDir(ctx, 'sandboxes', id), { recursive: true, force: true });
  ctx.sandboxes.forget(id);
}
