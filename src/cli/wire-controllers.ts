/** Starts the controller manager's controllers. Owned by the controllers room. */
import type { Component, ComponentContext } from './components.js';

export async function startControllers(_ctx: ComponentContext): Promise<Component[]> {
  return [];
}
