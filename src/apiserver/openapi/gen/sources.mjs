// Reads the two installed packages the OpenAPI documents are derived from:
//  - @kubernetes/client-node's generated models: structure, types, formats, required fields;
//  - kubernetes-types' .d.ts: upstream's field descriptions with their paragraph breaks intact.
// Both are parsed as text (importing ~800 modules would cost far more than reading them).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {{ name: string, baseName: string, type: string, format: string }} Attr
 * @typedef {{ name: string, attrs: Attr[], required: Set<string>, doc: string, fieldDocs: Map<string,string> }} Model
 * @typedef {{ optional: boolean, type: string, doc: string }} TsField
 * @typedef {{ doc: string, fields: Map<string, TsField> }} TsDecl
 */

/** @returns {Map<string, Model>} client-node model name -> model */
export function readClientNodeModels(modelsDir) {
  const models = new Map();
  for (const file of readdirSync(modelsDir)) {
    if (!file.endsWith('.js')) continue;
    const name = file.slice(0, -3);
    const js = readFileSync(join(modelsDir, file), 'utf8');
    const m = /\.attributeTypeMap = (\[[\s\S]*?\]);/.exec(js);
    if (!m) continue;
    const dts = existsSync(join(modelsDir, name + '.d.ts')) ? readFileSync(join(modelsDir, name + '.d.ts'), 'utf8') : '';
    const { required, fieldDocs } = readModelDts(dts);
    const doc = /\/\*\*\n\* ([\s\S]*?)\n\*\/\nexport class/.exec(js)?.[1] ?? '';
    models.set(name, { name, attrs: JSON.parse(m[1]), required, doc: unescapeDoc(doc), fieldDocs });
  }
  return models;
}

// client-node's doc comments escape quotes; its property lines read `'name'?: Type;`.
function readModelDts(dts) {
  const required = new Set();
  const fieldDocs = new Map();
  const re = /(?:\/\*\*\n\s*\* (.*)\n\s*\*\/\n)?^ {4}'([^']+)'(\?)?: /gm;
  for (let m; (m = re.exec(dts));) {
    if (!m[3]) required.add(m[2]);
    if (m[1]) fieldDocs.set(m[2], unescapeDoc(m[1]));
  }
  return { required, fieldDocs };
}

function unescapeDoc(s) {
  return s.replace(/\\(["'\\])/g, '$1').trim();
}

/**
 * Parses one kubernetes-types .d.ts file into its interfaces and type aliases.
 * @returns {Map<string, TsDecl>}
 */
export function readTsDecls(file) {
  const decls = new Map();
  if (!existsSync(file)) return decls;
  const lines = readFileSync(file, 'utf8').split('\n');
  let doc = '';
  let current = null; // fields of the interface being read
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed.startsWith('/**')) {
      const buf = [];
      for (let j = i; ; j++) {
        buf.push(lines[j]);
        if (lines[j].includes('*/')) { i = j; break; }
      }
      doc = cleanTsDoc(buf);
      continue;
    }
    if (!current) {
      const iface = /^export interface (\w+)/.exec(line);
      const alias = /^export type (\w+) =/.exec(line);
      if (iface) {
        current = new Map();
        decls.set(iface[1], { doc, fields: current });
        if (line.trimEnd().endsWith('}')) current = null;
      } else if (alias) {
        decls.set(alias[1], { doc, fields: new Map() });
      }
      doc = '';
      continue;
    }
    if (line.startsWith('}')) { current = null; doc = ''; continue; }
    const f = /^ {4}["']?([\w$.-]+)["']?(\?)?: (.*?);?$/.exec(line);
    if (f) {
      let type = f[3];
      if (type === '{') { // map type spans lines until the closing brace at field indent
        while (!/^ {4}\};?$/.test(lines[++i])) type += ' ' + lines[i].trim();
        type += ' }';
      }
      current.set(f[1], { optional: !!f[2], type, doc });
      doc = '';
    }
  }
  return decls;
}

// JSDoc -> upstream description: kubernetes-types keeps upstream's line breaks as comment lines.
function cleanTsDoc(buf) {
  const text = buf.join('\n').trim();
  if (!text.includes('\n')) return text.replace(/^\/\*\*\s?/, '').replace(/\s?\*\/$/, '').trim();
  return text.split('\n')
    .map(l => l.trim())
    .filter(l => l !== '/**' && l !== '*/')
    .map(l => l.replace(/^\* ?/, ''))
    .join('\n')
    .trim();
}
