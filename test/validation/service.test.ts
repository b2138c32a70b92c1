import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createErrors, createTable, message, mut } from './helpers.js';

const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
const two = mut(svc, o => { o.spec.ports = [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]; });

createTable('service', [
  { name: 'valid', obj: svc, wantFields: [] },
  { name: 'names are DNS-1035 labels', obj: mut(svc, o => { o.metadata.name = '1web'; }), wantFields: ['metadata.name'] },
  { name: 'ports required', obj: mut(svc, o => { o.spec.ports = []; }), wantFields: ['spec.ports'] },
  { name: 'headless needs no ports', obj: mut(svc, o => { o.spec.ports = []; o.spec.clusterIP = 'None'; }), wantFields: [] },
  { name: 'ExternalName needs no ports', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com.' } }, wantFields: [] },
  { name: 'ExternalName needs a name', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName' } }, wantFields: ['spec.externalName'] },
  { name: 'port range', obj: mut(svc, o => { o.spec.ports[0].port = 0; }), wantFields: ['spec.ports[0].port', 'spec.ports[0].targetPort'] },
  { name: 'port names required with two ports', obj: mut(two, o => { delete o.spec.ports[1].name; }), wantFields: ['spec.ports[1].name'] },
  { name: 'duplicate port names', obj: mut(two, o => { o.spec.ports[1].name = 'http'; }), wantFields: ['spec.ports[1].name'] },
  { name: 'duplicate port/protocol', obj: mut(two, o => { o.spec.ports[1].port = 80; }), wantFields: ['spec.ports[1]'] },
  { name: 'bad targetPort name', obj: mut(svc, o => { o.spec.ports[0].targetPort = 'HTTP_PORT'; }), wantFields: ['spec.ports[0].targetPort'] },
  { name: 'bad type', obj: mut(svc, o => { o.spec.type = 'Ingress'; }), wantFields: ['spec.type'] },
  { name: 'nodePort on ClusterIP', obj: mut(svc, o => { o.spec.ports[0].nodePort = 30080; }), wantFields: ['spec.ports[0].nodePort'] },
  { name: 'NodePort with nodePort', obj: mut(svc, o => { o.spec.type = 'NodePort'; o.spec.ports[0].nodePort = 30080; }), wantFields: [] },
  { name: 'LoadBalancer', obj: mut(svc, o => { o.spec.type = 'LoadBalancer'; }), wantFields: [] },
  { name: 'sourceRanges only for LoadBalancer', obj: mut(svc, o => { o.spec.loadBalancerSourceRanges = ['10.0.0.0/8']; }), wantFields: ['spec.LoadBalancerSourceRanges'] },
  { name: 'externalTrafficPolicy only when external', obj: mut(svc, o => { o.spec.externalTrafficPolicy = 'Local'; }), wantFields: ['spec.externalTrafficPolicy'] },
  { name: 'clusterIP must be an IP', obj: mut(svc, o => { o.spec.clusterIP = '10.0.0.300'; }), wantFields: ['spec.clusterIPs[0]'] },
  { name: 'clusterIP family mismatch', obj: mut(svc, o => { o.spec.clusterIP = 'fd00::1'; o.spec.ipFamilies = ['IPv4']; }), wantFields: ['spec.clusterIPs[0]'] },
  { name: 'headless NodePort', obj: mut(svc, o => { o.spec.type = 'NodePort'; o.spec.clusterIP = 'None'; }), wantFields: ['spec.clusterIPs[0]'] },
  { name: 'sessionAffinity value', obj: mut(svc, o => { o.spec.sessionAffinity = 'Cookie'; }), wantFields: ['spec.sessionAffinity'] },
  { name: 'externalIPs must be usable', obj: mut(svc, o => { o.spec.externalIPs = ['127.0.0.1']; }), wantFields: ['spec.externalIPs[0]'] },
  { name: 'bad selector label', obj: mut(svc, o => { o.spec.selector = { app: 'a b' }; }), wantFields: ['spec.selector'] },
]);

const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 8080 }] }] };
const slice = {
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc', namespace: 'default' },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true } }], ports: [{ name: 'http', port: 8080 }],
};

createTable('endpoints / endpointslice', [
  { name: 'endpoints valid', obj: ep, wantFields: [] },
  { name: 'endpoints need addresses', obj: mut(ep, o => { o.subsets[0].addresses = []; }), wantFields: ['subsets[0]'] },
  { name: 'endpoints bad IP', obj: mut(ep, o => { o.subsets[0].addresses[0].ip = 'nope'; }), wantFields: ['subsets[0].addresses[0].ip'] },
  { name: 'endpoints loopback', obj: mut(ep, o => { o.subsets[0].addresses[0].ip = '127.0.0.1'; }), wantFields: ['subsets[0].addresses[0].ip'] },
  { name: 'slice valid', obj: slice, wantFields: [] },
  { name: 'slice addressType', obj: mut(slice, o => { o.addressType = 'IPv5'; }), wantFields: ['addressType'] },
  { name: 'slice address family', obj: mut(slice, o => { o.endpoints[0].addresses = ['fd00::5']; }), wantFields: ['endpoints[0].addresses[0]'] },
  { name: 'slice needs an address', obj: mut(slice, o => { o.endpoints[0].addresses = []; }), wantFields: ['endpoints[0].addresses'] },
  { name: 'slice duplicate port names', obj: mut(slice, o => { o.ports.push({ name: 'http', port: 9090 }); }), wantFields: ['ports[1].name'] },
]);

test('service: messages', () => {
  const errs = createErrors(mut(two, o => { delete o.spec.ports[1].name; }));
  assert.equal(message(errs, 'spec.ports[1].name'), 'spec.ports[1].name: Required value');
});
