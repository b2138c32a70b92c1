/** The node room's door: the node agent (kubelet), its options, and the API server's node proxies. */
export { NodeAgent } from './agent.js';
export { AGENT_NODE_FLAGS, resolveAgentOptions, type AgentOptions, type AgentOptionsInput } from './options.js';
export { purgeNode } from './setup.js';
export { registerNodeProxies, type AgentClientCert, type NodeProxyHost, type ProxyContext, type UpgradeProxyContext } from './api-proxy/index.js';
export type { AgentRoute, AgentServer, AgentUpgrade } from './server/agent-server.js';
export { nodeToken } from './server/credentials.js';
export { KUBELET_VERSION } from './node/node-object.js';
