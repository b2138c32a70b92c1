/** Job controller helpers, table-driven: completion indexes, podFailurePolicy, back-off. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import {
  formatIndexes, matchPodFailurePolicy, nextBackoffRecord, parseIndexes, remainingBackoff,
} from '../../src/controllers/job-utils.js';

const failedPod = (exitCodes: Record<string, number>, conditions: Array<{ type: string; status: string }> = []): KubeObject => ({
  metadata: { name: 'p', namespace: 'ns' },
  status: {
    phase: 'Failed', conditions,
    containerStatuses: Object.entries(exitCodes).map(([name, exitCode]) => ({
      name, state: { terminated: { exitCode, finishedAt: '2024-01-01T00:00:00Z' } },
    })),
  },
});
const jobWith = (rules: unknown[]): KubeObject => ({ spec: { podFailurePolicy: { rules } } });

describe('completion indexes', () => {
  for (const [s, completions, want] of [
    ['', 5, []], ['1', 5, [1]], ['0-2,4', 5, [0, 1, 2, 4]], ['3-7', 5, [3, 4]], ['1,1,0', 5, [0, 1]],
  ] as Array<[string, number, number[]]>) {
    it(`parses "${s}" below ${completions}`, () => assert.deepEqual(parseIndexes(s, completions), want));
  }
  for (const [ix, want] of [[[], ''], [[0], '0'], [[0, 1, 2, 4], '0-2,4'], [[1, 3, 5, 6], '1,3,5-6']] as Array<[number[], string]>) {
    it(`formats ${JSON.stringify(ix)}`, () => assert.equal(formatIndexes(ix), want));
  }
});

describe('podFailurePolicy', () => {
  const cases: Array<{ name: string; rules: unknown[]; pod: KubeObject; count: boolean; action?: string; message?: RegExp }> = [
    { name: 'no rules: counts', rules: [], pod: failedPod({ c: 1 }), count: true },
    { name: 'FailJob on an exit code', rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }], pod: failedPod({ c: 42 }), count: true, action: 'FailJob',
      message: /^Container c for pod ns\/p failed with exit code 42 matching FailJob rule at index 0$/ },
    { name: 'NotIn', rules: [{ action: 'Ignore', onExitCodes: { operator: 'NotIn', values: [1] } }], pod: failedPod({ c: 2 }), count: false, action: 'Ignore' },
    { name: 'exit code 0 never matches', rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }], pod: failedPod({ c: 0 }), count: true },
    { name: 'containerName narrows', rules: [{ action: 'FailJob', onExitCodes: { containerName: 'other', operator: 'In', values: [3] } }], pod: failedPod({ c: 3 }), count: true },
    { name: 'first matching rule wins', rules: [{ action: 'Count', onExitCodes: { operator: 'In', values: [5] } }, { action: 'FailJob', onExitCodes: { operator: 'In', values: [5] } }],
      pod: failedPod({ c: 5 }), count: true, action: 'Count' },
    { name: 'Ignore on DisruptionTarget', rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }],
      pod: failedPod({ c: 137 }, [{ type: 'DisruptionTarget', status: 'True' }]), count: false, action: 'Ignore' },
    { name: 'condition status must match', rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
      pod: failedPod({ c: 137 }, [{ type: 'DisruptionTarget', status: 'False' }]), count: true },
    { name: 'FailJob on a condition', rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue' }] }],
      pod: failedPod({ c: 1 }, [{ type: 'ConfigIssue', status: 'True' }]), count: true, action: 'FailJob', message: /^Pod ns\/p has condition ConfigIssue matching FailJob rule at index 0$/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = matchPodFailurePolicy(jobWith(c.rules), c.pod);
      assert.equal(got.countFailed, c.count);
      assert.equal(got.action, c.action);
      if (c.message) assert.match(got.failJobMessage!, c.message); else assert.equal(got.failJobMessage, undefined);
    });
  }
});

describe('pod failure back-off', () => {
  /** A pod whose container finished at `iso`. */
  const at = (iso: string): KubeObject => ({
    metadata: { name: 'p' }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt: iso } } }] },
  });
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  it('10 s after the first failure, doubling, capped at 6 minutes', () => {
    let r = nextBackoffRecord(undefined, [], [at('2024-01-01T00:00:00Z')]);
    assert.equal(remainingBackoff(r, t0), 10_000);
    assert.equal(remainingBackoff(r, t0 + 4000), 6000);
    r = nextBackoffRecord(r, [], [at('2024-01-01T00:00:00Z')]);
    assert.equal(remainingBackoff(r, t0), 20_000);
    for (let i = 0; i < 10; i++) r = nextBackoffRecord(r, [], [at('2024-01-01T00:00:00Z')]);
    assert.equal(remainingBackoff(r, t0), 360_000);
  });
  it('a success resets it; failures after the success count again', () => {
    let r = nextBackoffRecord(undefined, [], [at('2024-01-01T00:00:00Z'), at('2024-01-01T00:00:01Z')]);
    r = nextBackoffRecord(r, [at('2024-01-01T00:01:00Z')], []);
    assert.equal(remainingBackoff(r, t0), 0);
    r = nextBackoffRecord(r, [at('2024-01-01T00:01:00Z')], [at('2024-01-01T00:00:30Z'), at('2024-01-01T00:02:00Z')]);
    assert.equal(r.failuresAfterLastSuccess, 1);
    assert.equal(remainingBackoff(r, Date.parse('2024-01-01T00:02:00Z')), 10_000);
  });
});
