/**
 * Starts the service-networking controllers of the controller manager: Endpoints and
 * EndpointSlices. Each is its own loop over the shared informers; the caller starts the
 * informer factory afterwards.
 */
import type { Component, ComponentContext } from '../cli/components.js';
import { startEndpointsController } from './endpoints.js';
import { startEndpointSliceController } from './endpointslice.js';

export function startControllersC(ctx: ComponentContext): Component[] {
  const o = { client: ctx.client, informers: ctx.informers };
  return [startEndpointsController(o), startEndpointSliceController(o)];
}

export { EndpointsController, startEndpointsController, type EndpointsControllerOptions } from './endpoints.js';
export { EndpointSliceController, startEndpointSliceController, type EndpointSliceControllerOptions } from './endpointslice.js';
