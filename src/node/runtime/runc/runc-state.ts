/**
 * What `runc delete` does for a container whose processes are all gone, without starting
 * runc: its cgroup removed from every hierarchy and runc's state dir (`<runc root>/<id>`)
 * removed. Each `runc delete` was a Go program's start, ~7 ms of CPU per container on this
 * VM (two per pod), to do a dozen rmdirs. A container with processes left in its cgroup
 * (a shared or host PID namespace lets its children outlive it) still gets
 * `runc delete --force`, which kills them first; so does one whose cgroup will not go.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupHasProcesses, removeEmptyCgroup } from './cgroups.js';
import type { RuncCli } from './runc-cli.js';

export async function deleteExited(runc: RuncCli, id: string, cgroupPath: string): Promise<void> {
  if ((await cgroupHasProcesses(cgroupPath)) || !(await removeEmptyCgroup(cgroupPath))) return runc.delete(id);
  rmSync(join(runc.root, id), { recursive: true, force: true }); // a tmpfs: see run-dir.ts
}
