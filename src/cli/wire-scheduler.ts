/** Starts the scheduler. Owned by the scheduler room. */
import type { Component, ComponentContext } from './components.js';

export async function startScheduler(_ctx: ComponentContext): Promise<Component[]> {
  return [];
}
