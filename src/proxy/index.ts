/** The proxy room's door: the node's service proxy, its rule model and the load-balancer status writer. */
export { Proxier, type ProxyOptions, type SyncResult } from './proxier.js';
export { ServiceLBController, nodeIngress, type ServiceLBOptions } from './service-lb.js';
export { ChainNames, randomPrefix } from './chains.js';
export { Iptables, IptablesError, execRunner, type CommandResult, type Runner } from './iptables.js';
export { ServiceRoutes, tableFor, type RouteOptions } from './routes.js';
export { buildModel, type Endpoint, type ServicePortModel } from './model.js';
export { builtinJumps, generateRules, type Jump, type RuleOptions, type RuleSet, type Table } from './rules.js';
export { buildBatch, emptyRuleSet, type Batch, type Programmed } from './restore.js';
export { defaultNodeIP } from './node-ip.js';
