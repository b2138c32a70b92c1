/**
 * The fourth part of the controller manager: the ServiceAccounts controller, the root CA
 * publisher (kube-root-ca.crt in every namespace) and storage —
 * the PersistentVolume binder, PVC/PV protection and the local-path provisioner (volumes under
 * `<dataDir>/storage`). Each is its own loop over the shared informers; the caller runs
 * this under leader election and starts the informer factory.
 */
import { resolve } from 'node:path';
import type { ControllerContext, RunningController } from './controller-utils.js';
import { LocalPathProvisioner } from './local-path-provisioner.js';
import { PersistentVolumeBinder } from './pv-binder.js';
import { RootCaPublisher } from './root-ca-publisher.js';
import { ServiceAccountsController } from './serviceaccount.js';
import { PVCProtectionController, PVProtectionController } from './storage-protection.js';

export { ServiceAccountsController, MANAGED_ACCOUNTS } from './serviceaccount.js';
export { RootCaPublisher, ROOT_CA_CONFIGMAP } from './root-ca-publisher.js';
export { PersistentVolumeBinder } from './pv-binder.js';
export { PVCProtectionController, PVProtectionController, PVC_PROTECTION, PV_PROTECTION } from './storage-protection.js';
export { LocalPathProvisioner, LOCAL_PATH_PROVISIONER, type LocalPathOptions } from './local-path-provisioner.js';

export interface ControllersDContext extends ControllerContext {
  /** The server's data dir: local-path volumes live in its `storage` directory. */
  dataDir: string;
  /** This machine's node name (its volumes are made and removed without a helper pod). */
  nodeName?: string;
  /** The cluster CA (PEM); without one there is nothing to publish (upstream skips the controller too). */
  caCert?: string;
}

export async function startControllersD(ctx: ControllersDContext): Promise<RunningController[]> {
  const controllers = [
    new ServiceAccountsController(ctx),
    new PersistentVolumeBinder(ctx),
    new LocalPathProvisioner(ctx, { basePath: resolve(ctx.dataDir, 'storage'), nodeName: ctx.nodeName }),
    new PVCProtectionController(ctx),
    new PVProtectionController(ctx),
    ...(ctx.caCert ? [new RootCaPublisher(ctx, ctx.caCert)] : []),
  ];
  for (const c of controllers) c.start();
  return controllers;
}
