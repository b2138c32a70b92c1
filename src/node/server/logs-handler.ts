/**
 * GET /containerLogs/<ns>/<pod>/<container>?follow&previous&tailLines&sinceSeconds|sinceTime&timestamps&limitBytes:
 * the current (or previous) run's CRI log, with upstream's errors for containers that
 * have not started and missing previous runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContainerStatus as ContainerStatusApi, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../runtime/index.js';
import { readLog, type LogOptions } from '../logs/cri-log.js';
import { HttpError } from './agent-server.js';

export interface LogSource {
  pod(namespace: string, name: string): Pod | undefined;
  /** The newest status the agent computed for the pod (else the API's). */
  podStatus(pod: Pod): PodStatus | undefined;
  /** The container's runs, newest attempt first. */
  runs(uid: string, container: string): Promise<ContainerStatus[]>;
  state(id: string): Promise<ContainerStatus['state'] | undefined>;
}

const bad = (msg: string) => new HttpError(400, 'BadRequest', msg);

function intParam(q: URLSearchParams, k: string): number | undefined {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw bad(`invalid ${k}: ${v}`);
  return n;
}

export function logOptions(q: URLSearchParams, now = Date.now()): LogOptions {
  const o: LogOptions = { follow: q.get('follow') === 'true', timestamps: q.get('timestamps') === 'true' };
  const tail = intParam(q, 'tailLines');
  if (tail !== undefined) o.tailLines = tail;
  const limit = intParam(q, 'limitBytes');
  if (limit !== undefined) o.limitBytes = limit;
  const sinceSeconds = intParam(q, 'sinceSeconds');
  if (sinceSeconds !== undefined) o.sinceTime = new Date(now - sinceSeconds * 1000);
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw bad(`invalid sinceTime: ${sinceTime}`);
    o.sinceTime = new Date(t);
  }
  return o;
}

/** Which run's log to read, from the container's API status (upstream's validateContainerLogStatus). */
export function logContainerId(status: ContainerStatusApi | undefined, container: string, pod: string, previous: boolean): string {
  const last = status?.lastState?.terminated;
  const st = status?.state ?? {};
  if (previous) {
    if (!last?.containerID) throw bad(`previous terminated container "${container}" in pod "${pod}" not found`);
    return last.containerID;
  }
  if (st.running && status?.containerID) return status.containerID;
  if (st.terminated) {
    const id = st.terminated.containerID || last?.containerID;
    if (!id) throw bad(`container "${container}" in pod "${pod}" is terminated`);
    return id;
  }
  if (last?.containerID) return last.containerID;
  const reason = st.waiting?.reason ?? 'ContainerCreating';
  const why = reason === 'ErrImagePull' ? "image can't be pulled" : reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason;
  throw bad(`container "${container}" in pod "${pod}" is waiting to start: ${why}`);
}

export async function serveContainerLogs(src: LogSource, ns: string, name: string, container: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pod = src.pod(ns, name);
  if (!pod) throw new HttpError(404, 'NotFound', `pods "${name}" not found`);
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  if (!all.some(c => c.name === container)) throw bad(`container ${container} is not valid for pod ${name}`);
  const opts = logOptions(q);
  const previous = q.get('previous') === 'true';
  const status = src.podStatus(pod);
  const cs = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])].find(s => s.name === container);
  const id = logContainerId(cs, container, name, previous).replace(/^[a-z]+:\/\//, '');
  const run = (await src.runs(pod.metadata!.uid!, container)).find(r => r.id === id);
  if (!run) throw bad(`container "${container}" in pod "${name}": its log is gone`);
  const ac = new AbortController();
  req.on('close', () => ac.abort());
  res.on('close', () => ac.abort());
  const alive = async () => !ac.signal.aborted && (await src.state(run.id)) === 'running';
  let started = false;
  try {
    for await (const chunk of readLog(run.logPath, { ...opts, follow: opts.follow && !previous }, alive, ac.signal)) {
      if (!started) { res.writeHead(200, { 'Content-Type': 'text/plain' }); started = true; }
      if (!res.write(chunk)) await new Promise(r => res.once('drain', r));
      if (ac.signal.aborted) break;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!started) res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end();
}
