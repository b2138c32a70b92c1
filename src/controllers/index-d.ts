/**
 * The fourth part of the controller manager: the ServiceAccounts controller and the
 * storage controllers. Each is its own loop over the shared informers; the caller runs
 * this under leader election and starts the informer factory.
 */
import type { ControllerContext, RunningController } from './controller-utils.js';
import { ServiceAccountsController } from './serviceaccount.js';

export { ServiceAccountsController, MANAGED_ACCOUNTS } from './serviceaccount.js';

export async function startControllersD(ctx: ControllerContext): Promise<RunningController[]> {
  const controllers = [new ServiceAccountsController(ctx)];
  for (const c of controllers) c.start();
  return controllers;
}
