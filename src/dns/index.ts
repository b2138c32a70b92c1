/** The DNS room's door: cluster DNS component, server, zone, wire format and pod resolv.conf. */
export { ClusterDns, type ClusterDnsOptions } from './cluster-dns.js';
export { DnsServer, type DnsServerOptions, type DnsStats } from './server.js';
export { ClusterZone, inCidr, type ClusterView, type ZoneOptions } from './zone.js';
export { Forwarder, upstreamsFromResolvConf, type ForwarderOptions, type Upstream } from './forwarder.js';
export { KUBE_DNS_MANAGER, nthAddress, registerKubeDns, unregisterKubeDns, type KubeDnsTarget } from './kube-dns.js';
export { podResolvConf, type ClusterDnsSettings, type PodDnsInput } from './resolv-conf.js';
export { CLASS_IN, DnsFormatError, RCODE, TYPE, encodeQuery, encodeResponse, parseQuery, type Query, type Question, type Record, type Response } from './wire.js';
export { parseResponse, type ParsedResponse } from './decode.js';
