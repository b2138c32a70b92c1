/** The Deployment controller's door. */
export { DeploymentController, DEPLOYMENT_COMPONENT } from './controller.js';
export { computeHash, equalIgnoreHash } from './hash.js';
export { resolveFenceposts, scaledValue } from './replicas.js';
