/**
 * Resource names and quantities: container requests/limits, quota and limit-range names
 * (validateResourceRequirements and the resource helpers of pkg/apis/core/helper).
 */
import { isQualifiedName } from './names.js';
import { Quantity, QUANTITY_FORMAT_ERROR, tryParseQuantity } from './quantity.js';
import { type Errs, arr, badValue, duplicate, forbidden, isObj, notFound, required, str } from './util.js';

const STANDARD_CONTAINER = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_QUOTA = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers', 'storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'cpu', 'memory', 'ephemeral-storage',
]);
const STANDARD = new Set([...STANDARD_CONTAINER, ...STANDARD_QUOTA]);
const INTEGER = new Set(['pods', 'quota', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets',
  'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);

export const isHugePages = (n: string): boolean => n.startsWith('hugepages-');
const isQuotaHugePages = (n: string): boolean => n.startsWith('requests.hugepages-') || n.startsWith('limits.hugepages-');
/** Native: unprefixed, or under kubernetes.io/. */
export const isNative = (n: string): boolean => !n.includes('/') || n.includes('kubernetes.io/');
/** Extended resources (e.g. example.com/gpu) are integers and cannot be overcommitted. */
export const isExtended = (n: string): boolean =>
  !isNative(n) && !n.startsWith('requests.') && isQualifiedName('requests.' + n).length === 0;
export const isOvercommitAllowed = (n: string): boolean => isNative(n) && !isHugePages(n);
const isInteger = (n: string): boolean => INTEGER.has(n) || n.startsWith('count/') || isExtended(n);

export function validateResourceName(name: string, path: string): Errs {
  const errs: Errs = isQualifiedName(name).map(m => badValue(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD.has(name) && !isHugePages(name) && !isQuotaHugePages(name)) {
    errs.push(badValue(path, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

export function validateContainerResourceName(name: string, path: string): Errs {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER.has(name) && !isHugePages(name)) errs.push(badValue(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(badValue(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateQuotaResourceName(name: string, path: string): Errs {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !STANDARD_QUOTA.has(name) && !isQuotaHugePages(name) && !isHugePages(name)) {
    errs.push(badValue(path, name, 'must be a standard resource for quota'));
  }
  return errs;
}

/** Parses a quantity field; reports unparsable input at `path` (a decode error upstream). */
export function quantityAt(v: unknown, path: string, errs: Errs): Quantity | undefined {
  const q = tryParseQuantity(v);
  if (!q) errs.push(badValue(path, v ?? null, QUANTITY_FORMAT_ERROR));
  return q;
}

/** ValidateResourceQuantityValue: non-negative, and whole for integer resources. */
export function validateQuantityValue(name: string, q: Quantity, raw: unknown, path: string): Errs {
  const errs: Errs = [];
  if (q.sign() < 0) errs.push(badValue(path, q.toString(), 'must be greater than or equal to 0'));
  if (isInteger(name) && q.scaled(3) % 1000n !== 0n) errs.push(badValue(path, raw, 'must be an integer'));
  return errs;
}

/** validateResourceRequirements for containers: names, values, requests <= limits. */
export function validateResourceRequirements(req: unknown, path: string, podClaims: Set<string> = new Set()): Errs {
  const r = isObj(req) ? req : {};
  const errs: Errs = [];
  const limits = new Map<string, Quantity>();
  let limCpuMem = false, reqCpuMem = false, hugePages = false;
  for (const [name, raw] of Object.entries(isObj(r.limits) ? r.limits : {})) {
    const p = `${path}.limits[${name}]`;
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (!q) continue;
    errs.push(...validateQuantityValue(name, q, raw, p));
    limits.set(name, q);
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, raw] of Object.entries(isObj(r.requests) ? r.requests : {})) {
    const p = `${path}.requests[${name}]`;
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(raw, p, errs);
    if (!q) continue;
    errs.push(...validateQuantityValue(name, q, raw, p));
    const lim = limits.get(name);
    if (lim) {
      if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(badValue(`${path}.requests`, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(badValue(`${path}.requests`, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(`${path}.limits`, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (hugePages && !limCpuMem && !reqCpuMem) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  const seen = new Set<string>();
  arr(r.claims).forEach((c, i) => {
    const name = str(c.name);
    if (!name) { errs.push(required(`${path}.claims[${i}]`)); return; }
    const key = c.request ? `${name}/${str(c.request)}` : name;
    if (seen.has(key)) errs.push(duplicate(`${path}.claims[${i}]`, key));
    seen.add(key);
    if (!podClaims.has(name)) errs.push(notFound(`${path}.claims[${i}]`, name));
  });
  return errs;
}
