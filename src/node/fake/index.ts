/** Fake nodes (kwok-style) for scale tests: clearly fake, never the real runtime. */
export { FakeNodePool, type FakeNodePoolOptions } from './pool.js';
export { FakeNode } from './fake-node.js';
export {
  FAKE_EXIT_AFTER, FAKE_EXIT_CODE, FAKE_NODE_LABEL, FAKE_RUNTIME, fakeNodeObject, parseDuration, parseLabels, parseTaints,
  type FakeNodeSpec,
} from './spec.js';
export { runFakeNodes, type RunFakeNodesOptions } from './run.js';
