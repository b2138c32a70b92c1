/**
 * A strict parser of the Prometheus text format 0.0.4, written from the format's
 * description (not from the code under test): it rejects anything a scraper would,
 * and checks histogram invariants.
 */

export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Family { name: string; help?: string; type?: string; samples: Sample[] }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(s: string, where: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`${where}: bad value "${s}"`);
  return Number(s);
}

function unescape(s: string, allowQuote: boolean, where: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && allowQuote) return '"';
    throw new Error(`${where}: bad escape \\${c}`);
  });
}

function parseSample(line: string, where: string): Sample {
  const m = NAME.exec(line);
  if (!m) throw new Error(`${where}: bad metric name`);
  const name = m[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const l = LABEL.exec(rest);
      if (!l) throw new Error(`${where}: bad label name`);
      rest = rest.slice(l[0].length);
      if (!rest.startsWith('="')) throw new Error(`${where}: expected ="`);
      rest = rest.slice(2);
      const v = /^((?:[^"\\\n]|\\.)*)"/.exec(rest);
      if (!v) throw new Error(`${where}: unterminated label value`);
      if (l[0] in labels) throw new Error(`${where}: duplicate label ${l[0]}`);
      labels[l[0]] = unescape(v[1]!, true, where);
      rest = rest.slice(v[0].length);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`${where}: expected , or }`);
    }
    rest = rest.slice(1);
  }
  const parts = rest.trim().split(/ +/);
  if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected " value [timestamp]"`);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value: parseValue(parts[0]!, where) };
}

const familyOf = (sample: string, fams: Map<string, Family>) => {
  if (fams.has(sample)) return fams.get(sample)!;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sample.endsWith(suffix) ? sample.slice(0, -suffix.length) : undefined;
    if (base && fams.get(base)?.type === 'histogram') return fams.get(base)!;
  }
  return undefined;
};

export function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('must end with a newline');
  const fams = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  text.split('\n').slice(0, -1).forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '') return;
    const meta = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!NAME.test(name!) || NAME.exec(name!)![0] !== name) throw new Error(`${where}: bad name ${name}`);
      let f = fams.get(name!);
      if (f && f !== current) throw new Error(`${where}: family ${name} is split`);
      if (!f) { fams.set(name!, f = { name: name!, samples: [] }); }
      current = f;
      if (f.samples.length) throw new Error(`${where}: ${kind} after samples`);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`${where}: second HELP`);
        f.help = unescape(rest ?? '', false, where);
      } else {
        if (f.type !== undefined) throw new Error(`${where}: second TYPE`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest ?? '')) throw new Error(`${where}: bad type ${rest}`);
        f.type = rest;
      }
      return;
    }
    if (line.startsWith('#')) return; // a comment
    const s = parseSample(line, where);
    const f = familyOf(s.name, fams);
    if (!f || f !== current) throw new Error(`${where}: sample ${s.name} outside its family`);
    const id = s.name + JSON.stringify(Object.entries(s.labels).sort());
    if (seen.has(id)) throw new Error(`${where}: duplicate series ${id}`);
    seen.add(id);
    if (f.type === 'counter' && (s.value < 0 || Number.isNaN(s.value))) throw new Error(`${where}: counter below 0`);
    f.samples.push(s);
  });
  for (const f of fams.values()) if (f.type === 'histogram') checkHistogram(f);
  return fams;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const e = series.get(key) ?? { buckets: [] };
    series.set(key, e);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      e.buckets.push([parseValue(le, f.name), s.value]);
    } else if (s.name === `${f.name}_sum`) e.sum = s.value;
    else if (s.name === `${f.name}_count`) e.count = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, e] of series) {
    const last = e.buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    e.buckets.forEach(([le, v], i) => {
      if (i > 0 && (le <= e.buckets[i - 1]![0] || v < e.buckets[i - 1]![1])) throw new Error(`${f.name}${key}: buckets not cumulative`);
    });
    if (e.count !== last[1] || e.sum === undefined) throw new Error(`${f.name}${key}: _count must equal the +Inf bucket, _sum present`);
  }
}
