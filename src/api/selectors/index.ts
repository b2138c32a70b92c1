/** Label and field selectors: parse once, match per object. */
export {
  parseLabelSelector, labelSelectorFromObject, selectorFromSet, everything, nothing,
  formatLabelSelector, formatLabels,
} from './label-selector.js';
export type { LabelMatcher } from './label-selector.js';
export type { LabelRequirement, LabelOperator, Labels } from './requirement.js';
export { parseFieldSelector } from './field-selector.js';
export type { FieldMatcher, FieldRequirement } from './field-selector.js';
export { compileNodeSelectorTerm, nodeSelectorTermsMatch } from './node-selector.js';
export type { NodePredicate, NodeSelectorTermLike, NodeSelectorRequirementLike } from './node-selector.js';
