/** Starts the node agent (kubelet) for this machine. Owned by the node room. */
import type { Component, ComponentContext } from './components.js';

export async function startAgent(_ctx: ComponentContext): Promise<Component[]> {
  return [];
}
