/** What a resource handler gets: the request, its parsed address and the storage. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../api/resources.js';
import type { ResourceRequest } from './request-info.js';
import type { ResourceStore } from './storage/resource-store.js';
import type { Registry } from './registry.js';
import type { UserInfo } from './auth/authenticate.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: ResourceRequest;
  ri: ResourceInfo;
  rs: ResourceStore;
  registry: Registry;
  user: UserInfo;
}

export function dryRun(q: URLSearchParams): boolean {
  return q.getAll('dryRun').includes('All');
}
