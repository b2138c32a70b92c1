/**
 * A Runtime whose calls count into kubelet_runtime_operations_* under the CRI's
 * operation names (run_podsandbox, create_container, exec_sync…), as upstream's
 * instrumented runtime service does.
 */
import type { Runtime } from '../runtime/index.js';
import type { KubeletMetrics } from './kubelet.js';

const OPS: Partial<Record<keyof Runtime, string>> = {
  version: 'version', runSandbox: 'run_podsandbox', stopSandbox: 'stop_podsandbox', removeSandbox: 'remove_podsandbox',
  sandboxStatus: 'podsandbox_status', listSandboxes: 'list_podsandbox', createContainer: 'create_container',
  startContainer: 'start_container', stopContainer: 'stop_container', removeContainer: 'remove_container',
  containerStatus: 'container_status', listContainers: 'list_containers', reopenContainerLog: 'reopen_container_log',
  exec: 'exec_sync',
};

export function instrumentRuntime(rt: Runtime, m: KubeletMetrics): Runtime {
  return new Proxy(rt, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown; // getters run on the real object (private fields)
      if (typeof v !== 'function') return v;
      const op = OPS[prop as keyof Runtime];
      if (op) return (...args: unknown[]) => m.timeRuntime(op, () => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      if (prop === 'execStream') return (...args: unknown[]) => { m.runtimeOps.inc({ operation_type: 'exec' }); return (v as (...a: unknown[]) => unknown).apply(target, args); };
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
