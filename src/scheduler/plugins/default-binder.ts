/** DefaultBinder: POST pods/binding (the scheduler's only write that places a pod). */
import type { BindPlugin, Handle } from '../framework/interface.js';
import { asError, SUCCESS, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';

export const NAME = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;
  constructor(readonly bindPod: (pod: Pod, node: string) => Promise<void>) {}
  async bind(_s: unknown, pod: Pod, nodeName: string): Promise<Status> {
    try {
      await this.bindPod(pod, nodeName);
      return SUCCESS;
    } catch (e) {
      return asError(e);
    }
  }
}

export const newDefaultBinder = (_a: unknown, h: Handle): DefaultBinder => {
  if (!h.bindPod) throw new Error('DefaultBinder needs a client (handle.bindPod)');
  return new DefaultBinder(h.bindPod);
};
