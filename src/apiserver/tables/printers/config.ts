/** ConfigMaps, Secrets, ServiceAccounts, ResourceQuotas. */
import type { ConfigMap, ResourceQuota, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { ageCol, col, nameCol } from '../columns.js';
import { since } from '../duration.js';
import type { Printer } from '../types.js';

const count = (m: object | undefined) => (m ? Object.keys(m).length : 0);

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [nameCol(), col('Data', 'string', 'Data contains the configuration data.'), ageCol()],
  cells(cm, { now }) {
    return [cm.metadata?.name ?? '', count(cm.data) + count(cm.binaryData), since(cm.metadata?.creationTimestamp, now)];
  },
};

export const secretPrinter: Printer<Secret> = {
  columns: [nameCol(), col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), ageCol()],
  cells(s, { now }) {
    // stringData is merged into data on write; count the union in case it was not.
    const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
    return [s.metadata?.name ?? '', s.type ?? '', keys.size, since(s.metadata?.creationTimestamp, now)];
  },
};

export const serviceAccountPrinter: Printer<ServiceAccount> = {
  columns: [nameCol(), col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageCol()],
  cells(sa, { now }) {
    return [sa.metadata?.name ?? '', sa.secrets?.length ?? 0, since(sa.metadata?.creationTimestamp, now)];
  },
};

/** "cpu: 100m/1, pods: 2/10" split into requests and limits.* columns, sorted by name. */
function quotaColumns(q: ResourceQuota): [string, string] {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const req: string[] = [];
  const lim: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const parts = name.split('.');
    (parts.length > 1 && parts[0] === 'limits' ? lim : req).push(`${name}: ${used[name] ?? '0'}/${hard[name]}`);
  }
  return [req.join(', '), lim.join(', ')];
}

export const resourceQuotaPrinter: Printer<ResourceQuota> = {
  columns: [
    nameCol(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageCol(),
  ],
  cells(q, { now }) {
    return [q.metadata?.name ?? '', ...quotaColumns(q), since(q.metadata?.creationTimestamp, now)];
  },
};
