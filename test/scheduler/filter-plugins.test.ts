/** Filter plugins, each on a hand-made node set: {name, pod, node, want} tables. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Code, CycleState } from '../../src/scheduler/index.js';
import { harness, makeNode, makePod, pi, runFilter } from './builders.js';

interface Case { name: string; pod: Pod; node: Node; existing?: Pod[]; want: { code: Code; reasons?: string[] } }

function table(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const h = harness([c.node], c.existing ?? []);
      const got = runFilter(h, c.pod, c.node.metadata!.name!);
      assert.deepEqual({ code: got.code, reasons: c.want.reasons ? [...got.reasons] : undefined },
        { code: c.want.code, reasons: c.want.reasons }, '(-want,+got)');
    });
  }
}

const ok = { code: Code.Success };

describe('NodeName', () => table([
  { name: 'no node name', pod: makePod().obj(), node: makeNode('n1').obj(), want: ok },
  { name: 'matching name', pod: makePod().nodeNameRequested('n1').obj(), node: makeNode('n1').obj(), want: ok },
  { name: 'other name', pod: makePod().nodeNameRequested('n2').obj(), node: makeNode('n1').obj(),
    want: { code: Code.UnschedulableAndUnresolvable, reasons: ["node(s) didn't match the requested node name"] } },
]));

describe('NodeUnschedulable', () => table([
  { name: 'schedulable node', pod: makePod().obj(), node: makeNode('n1').obj(), want: ok },
  { name: 'cordoned node', pod: makePod().obj(), node: makeNode('n1').unschedulable().obj(),
    want: { code: Code.UnschedulableAndUnresolvable, reasons: ['node(s) were unschedulable'] } },
  { name: 'cordoned node, pod tolerates', node: makeNode('n1').unschedulable().obj(),
    pod: makePod().toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }).obj(), want: ok },
]));

describe('TaintToleration filter', () => table([
  { name: 'no taints', pod: makePod().obj(), node: makeNode('n1').obj(), want: ok },
  { name: 'untolerated NoSchedule', pod: makePod().obj(), node: makeNode('n1').taint({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }).obj(),
    want: { code: Code.UnschedulableAndUnresolvable, reasons: ['node(s) had untolerated taint {dedicated: gpu}'] } },
  { name: 'tolerated by Equal', node: makeNode('n1').taint({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }).obj(),
    pod: makePod().toleration({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }).obj(), want: ok },
  { name: 'Equal with another value does not tolerate', node: makeNode('n1').taint({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }).obj(),
    pod: makePod().toleration({ key: 'dedicated', value: 'cpu' }).obj(), want: { code: Code.UnschedulableAndUnresolvable } },
  { name: 'Exists without key tolerates everything', node: makeNode('n1').taint({ key: 'a', effect: 'NoExecute' }).obj(),
    pod: makePod().toleration({ operator: 'Exists' }).obj(), want: ok },
  { name: 'PreferNoSchedule does not filter', node: makeNode('n1').taint({ key: 'a', effect: 'PreferNoSchedule' }).obj(), pod: makePod().obj(), want: ok },
]));

const reasonAffinity = "node(s) didn't match Pod's node affinity/selector";
describe('NodeAffinity filter (nodeSelector and required affinity)', () => table([
  { name: 'nodeSelector matches', pod: makePod().nodeSelector({ disk: 'ssd' }).obj(), node: makeNode('n1').label('disk', 'ssd').obj(), want: ok },
  { name: 'nodeSelector mismatch', pod: makePod().nodeSelector({ disk: 'ssd' }).obj(), node: makeNode('n1').label('disk', 'hdd').obj(),
    want: { code: Code.UnschedulableAndUnresolvable, reasons: [reasonAffinity] } },
  { name: 'In matches', pod: makePod().nodeAffinityIn('zone', ['a', 'b']).obj(), node: makeNode('n1').label('zone', 'b').obj(), want: ok },
  { name: 'NotIn excludes', pod: makePod().nodeAffinityIn('zone', ['a'], 'NotIn').obj(), node: makeNode('n1').label('zone', 'a').obj(),
    want: { code: Code.UnschedulableAndUnresolvable, reasons: [reasonAffinity] } },
  { name: 'Gt compares integers', pod: makePod().nodeAffinityIn('cores', ['4'], 'Gt').obj(), node: makeNode('n1').label('cores', '8').obj(), want: ok },
  { name: 'terms are ORed', pod: makePod().nodeAffinityIn('zone', ['x']).nodeAffinityIn('disk', ['ssd']).obj(),
    node: makeNode('n1').label('disk', 'ssd').obj(), want: ok },
  { name: 'selector AND affinity', pod: makePod().nodeSelector({ disk: 'ssd' }).nodeAffinityIn('zone', ['a']).obj(),
    node: makeNode('n1').label('zone', 'a').obj(), want: { code: Code.UnschedulableAndUnresolvable } },
]));

describe('NodeResourcesFit filter', () => table([
  { name: 'fits', pod: makePod().req({ cpu: '1', memory: '1Gi' }).obj(), node: makeNode('n1').capacity({ cpu: '2', memory: '2Gi' }).obj(), want: ok },
  { name: 'insufficient cpu given what runs there', node: makeNode('n1').capacity({ cpu: '2', memory: '2Gi' }).obj(),
    existing: [makePod('a').req({ cpu: '1500m' }).node('n1').obj()],
    pod: makePod().req({ cpu: '1' }).obj(), want: { code: Code.Unschedulable, reasons: ['Insufficient cpu'] } },
  { name: 'more than the node has at all is unresolvable', node: makeNode('n1').capacity({ cpu: '2' }).obj(),
    pod: makePod().req({ cpu: '3' }).obj(), want: { code: Code.UnschedulableAndUnresolvable, reasons: ['Insufficient cpu'] } },
  { name: 'every short resource is a reason', node: makeNode('n1').capacity({ cpu: '1', memory: '1Gi' }).obj(),
    existing: [makePod('a').req({ cpu: '1', memory: '1Gi' }).node('n1').obj()],
    pod: makePod().req({ cpu: '1', memory: '1Gi' }).obj(), want: { code: Code.Unschedulable, reasons: ['Insufficient cpu', 'Insufficient memory'] } },
  { name: 'init containers count by their max, not their sum', node: makeNode('n1').capacity({ cpu: '2' }).obj(),
    pod: makePod().req({ cpu: '1' }).init({ cpu: '2' }).init({ cpu: '2' }).obj(), want: ok },
  { name: 'sidecars run beside app containers', node: makeNode('n1').capacity({ cpu: '2' }).obj(),
    existing: [makePod('a').req({ cpu: '500m' }).node('n1').obj()],
    pod: makePod().req({ cpu: '1' }).init({ cpu: '1' }, true).obj(), want: { code: Code.Unschedulable, reasons: ['Insufficient cpu'] } },
  { name: 'pod overhead counts', node: makeNode('n1').capacity({ cpu: '1' }).obj(),
    pod: makePod().req({ cpu: '900m' }).overhead({ cpu: '200m' }).obj(), want: { code: Code.UnschedulableAndUnresolvable, reasons: ['Insufficient cpu'] } },
  { name: 'pod count from allocatable.pods', node: makeNode('n1').capacity({ pods: '1' }).obj(),
    existing: [makePod('a').node('n1').obj()], pod: makePod().obj(), want: { code: Code.Unschedulable, reasons: ['Too many pods'] } },
  { name: 'extended resources', node: makeNode('n1').capacity({ 'example.com/gpu': '1' }).obj(),
    pod: makePod().req({ 'example.com/gpu': '2' }).obj(), want: { code: Code.UnschedulableAndUnresolvable, reasons: ['Insufficient example.com/gpu'] } },
]));

const reasonPorts = "node(s) didn't have free ports for the requested pod ports";
describe('NodePorts', () => table([
  { name: 'free port', pod: makePod().hostPort(80).obj(), node: makeNode('n1').obj(), existing: [makePod('a').hostPort(81).node('n1').obj()], want: ok },
  { name: 'same port and protocol', pod: makePod().hostPort(80).obj(), node: makeNode('n1').obj(),
    existing: [makePod('a').hostPort(80).node('n1').obj()], want: { code: Code.Unschedulable, reasons: [reasonPorts] } },
  { name: 'other protocol', pod: makePod().hostPort(53, 'UDP').obj(), node: makeNode('n1').obj(), existing: [makePod('a').hostPort(53).node('n1').obj()], want: ok },
  { name: 'different host IPs', pod: makePod().hostPort(80, 'TCP', '10.0.0.1').obj(), node: makeNode('n1').obj(),
    existing: [makePod('a').hostPort(80, 'TCP', '10.0.0.2').node('n1').obj()], want: ok },
  { name: '0.0.0.0 conflicts with any IP', pod: makePod().hostPort(80, 'TCP', '10.0.0.1').obj(), node: makeNode('n1').obj(),
    existing: [makePod('a').hostPort(80).node('n1').obj()], want: { code: Code.Unschedulable } },
]));

describe('NodeResourcesFit after the node changes', () => {
  it('sees pods assumed, confirmed, forgotten and removed, node resizes, and a clone changed apart from its original', () => {
    const h = harness([makeNode('n1').capacity({ cpu: '2', memory: '2Gi', pods: '3' }).obj()]);
    const want = makePod().req({ cpu: '1' }).obj();
    const a = pi(makePod('a').req({ cpu: '1' }).obj());
    const b = pi(makePod('b').req({ cpu: '500m' }).obj());
    assert.equal(runFilter(h, want, 'n1').code, Code.Success);
    h.cache.assumePod(a, 'n1');
    h.cache.assumePod(b, 'n1');
    assert.deepEqual(runFilter(h, want, 'n1'), { code: Code.Unschedulable, reasons: ['Insufficient cpu'] });
    h.cache.addPod(pi(makePod('b').req({ cpu: '500m' }).node('n1').obj()), 'n1'); // confirmed: counted once
    assert.deepEqual(runFilter(h, want, 'n1'), { code: Code.Unschedulable, reasons: ['Insufficient cpu'] });
    const clone = h.cache.get('n1')!.clone();
    clone.removePod(a.key);
    const state = new CycleState();
    assert.equal(h.fw.runFilterPlugins(state, pi(want), clone).code, Code.Success);
    assert.equal(runFilter(h, want, 'n1').code, Code.Unschedulable, 'the original keeps its pods');
    h.cache.forgetPod(a.key);
    assert.equal(runFilter(h, want, 'n1').code, Code.Success);
    h.cache.updateNode(makeNode('n1').capacity({ cpu: '1', memory: '2Gi', pods: '3' }).obj());
    assert.deepEqual(runFilter(h, want, 'n1'), { code: Code.Unschedulable, reasons: ['Insufficient cpu'] });
    h.cache.removePod(b.key);
    assert.equal(runFilter(h, want, 'n1').code, Code.Success);
  });
});
