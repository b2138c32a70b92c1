/**
 * YAML request bodies, decoded the way kube-apiserver (go-yaml v2 via sigs.k8s.io/yaml) does:
 * YAML 1.1 scalars (`0644` is octal, `yes` is true), but timestamps stay strings, and repeated
 * keys are reported as upstream words them: `line 4: key "name" already set in map`.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Tags } from 'yaml';
import type { StrictParseResult } from './json-strict.js';

// go-yaml v2 resolves none of these into a JSON value of their own; they stay strings.
const DROPPED = /timestamp$|binary$|omap$|pairs$|:set$/;
const goYamlTags = (tags: Tags): Tags =>
  tags.filter(t => typeof t === 'string' || (!DROPPED.test(t.tag) && (t as { format?: string }).format !== 'TIME'));

/** Parses one YAML document. Throws SyntaxError on malformed input. */
export function parseYamlStrict(text: string): StrictParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, customTags: goYamlTags, lineCounter });
  if (doc.errors.length) throw new SyntaxError(doc.errors[0].message);
  const duplicates: string[] = [];
  const duplicateMessages: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const p = `${path}.${key}`;
        if (key !== '<<' && seen.has(key)) {
          duplicates.push(p);
          const line = keyNode?.range ? lineCounter.linePos(keyNode.range[0]).line : 0;
          duplicateMessages.push(`line ${line}: key "${key}" already set in map`);
        }
        seen.add(key);
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    }
  };
  walk(doc.contents, '');
  return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown, format: 'yaml', duplicates, duplicateMessages };
}
