/**
 * JSON.parse that also reports keys repeated within one object (JSON.parse silently keeps the
 * last one). Runs on every request body, so the common case costs one extra pass that only
 * counts: every `:` outside strings is one key, and JSON.parse's result holds one own property
 * per distinct key. Only when the counts differ is the text walked again to name the paths.
 */

export interface StrictParseResult {
  value: unknown;
  format: 'json' | 'yaml';
  /** Paths of repeated keys in document order, like `.metadata.name` or `[1].path`. */
  duplicates: string[];
  /**
   * Upstream's wording for each: `duplicate field "metadata.name"` (JSON) or
   * `line 4: key "name" already set in map` (YAML).
   */
  duplicateMessages: string[];
}

/** Parses JSON and finds duplicate keys. Throws SyntaxError on malformed input, like JSON.parse. */
export function parseJsonStrict(text: string): StrictParseResult {
  const value: unknown = JSON.parse(text);
  if (countColons(text) === countKeys(value)) return { value, format: 'json', duplicates: [], duplicateMessages: [] };
  const duplicates = findDuplicates(text);
  return { value, format: 'json', duplicates, duplicateMessages: duplicates.map(p => `duplicate field "${p.replace(/^\./, '')}"`) };
}

// Colons outside strings. Both colons and quotes are found with indexOf (native, fast);
// a colon found inside a string is searched for again past the string's end.
function countColons(text: string): number {
  let n = 0;
  let i = 0;
  let c = text.indexOf(':');
  for (;;) {
    const q = text.indexOf('"', i);
    const end = q === -1 ? text.length : q;
    while (c !== -1 && c < end) {
      n++;
      c = text.indexOf(':', c + 1);
    }
    if (q === -1 || c === -1) return n;
    i = stringEnd(text, q);
    if (c < i) c = text.indexOf(':', i);
  }
}

/** Index just past the string that opens at `q` (input already validated by JSON.parse). */
function stringEnd(text: string, q: number): number {
  let k = q + 1;
  for (;;) {
    k = text.indexOf('"', k);
    let b = k - 1;
    while (text.charCodeAt(b) === 92) b--;
    if ((k - 1 - b) % 2 === 0) return k + 1; // an even run of backslashes does not escape it
    k++;
  }
}

function countKeys(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === 'object') n += countKeys(x);
    return n;
  }
  for (const k in v) {
    n++;
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object') n += countKeys(x);
  }
  return n;
}

// Slow path, only when a duplicate exists: a minimal tokenizer that tracks paths.
function findDuplicates(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const str = (): string => {
    const start = i;
    i = stringEnd(text, i);
    const raw = text.slice(start, i);
    return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const value = (path: string): void => {
    ws();
    const c = text.charCodeAt(i);
    if (c === 123) { // {
      i++;
      ws();
      if (text.charCodeAt(i) === 125) { i++; return; }
      const seen = new Set<string>();
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // ':'
        const p = `${path}.${key}`;
        if (seen.has(key)) out.push(p);
        else seen.add(key);
        value(p);
        ws();
        if (text.charCodeAt(i++) === 125) return; // '}' ends, ',' continues
      }
    } else if (c === 91) { // [
      i++;
      ws();
      if (text.charCodeAt(i) === 93) { i++; return; }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text.charCodeAt(i++) === 93) return;
      }
    } else if (c === 34) {
      str();
    } else {
      for (let d = c; i < text.length && d !== 44 && d !== 125 && d !== 93 && d !== 32 && d !== 10 && d !== 13 && d !== 9; d = text.charCodeAt(++i));
    }
  };
  value('');
  return out;
}
