/**
 * Endpoints and EndpointSlices (written by the endpoints controllers, rarely by users).
 */
import { IP_MSG, isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isQualifiedName, isValidIP, isValidPortNum, nameIsDNSSubdomain } from './names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nonSpecialIP, PROTOCOLS } from './service.js';
import { type Errs, type Obj, arr, badValue, duplicate, notSupported, oneOf, required, str, strMap, tooMany } from './util.js';

function validateEndpointPort(p: Obj, requireName: boolean, path: string): Errs {
  const errs: Errs = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(required(`${path}.name`));
  else if (name) errs.push(...isDNS1123Label(name).map(m => badValue(`${path}.name`, name, m)));
  errs.push(...isValidPortNum(p.port).map(m => badValue(`${path}.port`, p.port ?? 0, m)));
  errs.push(...oneOf(p.protocol, PROTOCOLS, `${path}.protocol`));
  if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...isQualifiedName(str(p.appProtocol)).map(m => badValue(`${path}.appProtocol`, p.appProtocol, m)));
  return errs;
}

export function validateEndpoints(ep: Obj): Errs {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  arr(ep.subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (!arr(ss.addresses).length && !arr(ss.notReadyAddresses).length) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const kind of ['addresses', 'notReadyAddresses']) {
      arr(ss[kind]).forEach((a, j) => {
        const ap = `${p}.${kind}[${j}]`;
        if (!isValidIP(str(a.ip))) errs.push(badValue(`${ap}.ip`, str(a.ip), IP_MSG));
        if (str(a.hostname)) errs.push(...isDNS1123Label(str(a.hostname)).map(m => badValue(`${ap}.hostname`, a.hostname, m)));
        if (a.nodeName !== undefined && a.nodeName !== null) errs.push(...nameIsDNSSubdomain(str(a.nodeName), false).map(m => badValue(`${ap}.nodeName`, a.nodeName, m)));
        if (isValidIP(str(a.ip))) errs.push(...nonSpecialIP(str(a.ip), `${ap}.ip`));
      });
    }
    const ports = arr(ss.ports);
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, `${p}.ports[${j}]`)));
  });
  return errs;
}

export const validateEndpointsUpdate = (n: Obj, o: Obj): Errs => [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateEndpoints(n)];

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(es: Obj): Errs {
  const errs = validateObjectMeta(es.metadata, true, nameIsDNSSubdomain);
  const at = str(es.addressType);
  if (!at) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(at)) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
  const eps = arr(es.endpoints);
  if (eps.length > 1000) errs.push(tooMany('endpoints', eps.length, 1000));
  eps.forEach((e, i) => {
    const p = `endpoints[${i}]`;
    const addrs = arr<string>(e.addresses);
    if (!addrs.length) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(`${p}.addresses`, addrs.length, 100));
    addrs.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (at === 'IPv4' && !isIPv4(str(a))) errs.push(badValue(ap, a, 'must be a valid IPv4 address'));
      if (at === 'IPv6' && !isIPv6(str(a))) errs.push(badValue(ap, a, 'must be a valid IPv6 address'));
      if (at === 'FQDN' && isDNS1123Subdomain(str(a).replace(/\.$/, '')).length) errs.push(badValue(ap, a, 'must be a valid DNS name'));
    });
    if (str(e.nodeName)) errs.push(...nameIsDNSSubdomain(str(e.nodeName), false).map(m => badValue(`${p}.nodeName`, e.nodeName, m)));
    if (str(e.hostname)) errs.push(...isDNS1123Label(str(e.hostname)).map(m => badValue(`${p}.hostname`, e.hostname, m)));
    errs.push(...validateLabels(strMap(e.deprecatedTopology), `${p}.deprecatedTopology`));
  });
  const ports = arr(es.ports);
  if (ports.length > 20000) errs.push(tooMany('ports', ports.length, 20000));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = str(port.name);
    if (name) errs.push(...isDNS1123Label(name).map(m => badValue(`${p}.name`, name, m)));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    if (port.protocol === undefined || port.protocol === null) errs.push(required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(str(port.protocol))) errs.push(notSupported(`${p}.protocol`, str(port.protocol), PROTOCOLS));
    if (port.port !== undefined && port.port !== null) errs.push(...isValidPortNum(port.port).map(m => badValue(`${p}.port`, port.port, m)));
    if (port.appProtocol !== undefined && port.appProtocol !== null) errs.push(...isQualifiedName(str(port.appProtocol)).map(m => badValue(`${p}.appProtocol`, port.appProtocol, m)));
  });
  return errs;
}

export function validateEndpointSliceUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateEndpointSlice(n)];
  if (str(n.addressType) !== str(o.addressType)) errs.push(badValue('addressType', str(n.addressType), 'field is immutable'));
  return errs;
}
