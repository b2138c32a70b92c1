export { ApiServer, VERSION_INFO, type ApiServerOptions } from './server.js';
export { Authenticator, type UserInfo } from './auth/authenticate.js';
export { ensurePki, issueClientCert, type Pki } from './auth/pki.js';
export { ensureServiceAccountKey, type ServiceAccountKey } from './auth/sa-key.js';
export { DEFAULT_ISSUER, ServiceAccountTokens, type TokenClaims } from './auth/sa-token.js';
export { writeKubeconfig, kubeconfigYaml } from './auth/kubeconfig.js';
export type { RequestContext } from './context.js';
export type { SubresourceHandler } from './dispatch.js';
export type { UpgradeContext, UpgradeHandler } from './upgrade.js';
