/**
 * Field checks of a patch result skip the parts it shares with the stored object it was
 * applied to (checked when written): the same problems are found in what the patch brought,
 * none in what it left alone, and shared parts are never changed (null normalising).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTypes, findUnknownFields } from '../../src/api/schema/index.js';
import { mergePatch } from '../../src/api/patch/index.js';
import type { JsonObject } from '../../src/api/patch/json.js';

const stored = (): JsonObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } },
  // An unknown field a Warn-mode write left in the stored object.
  spec: { containers: [{ name: 'c', image: 'busybox', imagee: 'typo' }] },
});

describe('checks against a stored object', () => {
  it('reports what the patch brought, not what it left alone', () => {
    const cur = stored();
    const next = mergePatch(cur, { status: { phase: 'Running', phasee: 'x' }, metadata: { labelz: {} } });
    assert.deepEqual(findUnknownFields('v1', 'Pod', next), ['.metadata.labelz', '.spec.containers[0].imagee', '.status.phasee'], 'without: everything');
    assert.deepEqual(findUnknownFields('v1', 'Pod', next, cur), ['.metadata.labelz', '.status.phasee']);
  });

  it('a part the patch replaced is checked again', () => {
    const cur = stored();
    const next = mergePatch(cur, { spec: { containers: [{ name: 'c', image: 'busybox', imagee: 'again' }] } });
    assert.deepEqual(findUnknownFields('v1', 'Pod', next, cur), ['.spec.containers[0].imagee']);
  });

  it('type errors in the patch still fail; shared parts are neither checked nor normalised', () => {
    const cur = stored();
    (cur.spec as { containers: unknown[] }).containers.push(null);
    const bad = mergePatch(cur, { status: { phase: 3 } });
    assert.throws(() => checkTypes('v1', 'Pod', bad, cur), /cannot unmarshal number into Go struct field PodStatus.status.phase of type string/);
    const ok = mergePatch(cur, { status: { phase: 'Running', conditions: [null] } });
    checkTypes('v1', 'Pod', ok, cur);
    assert.deepEqual((ok.status as { conditions: unknown[] }).conditions, [{}], 'the patch\'s null normalised');
    assert.equal((cur.spec as { containers: unknown[] }).containers[1], null, 'the stored object untouched');
  });
});
