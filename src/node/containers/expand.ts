/**
 * `$(VAR)` expansion in env values, command and args, as upstream's expansion package:
 * `$(NAME)` becomes the value when NAME is defined (else stays as written), `$$` is a
 * literal `$`, anything else is copied.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) { out += ch; continue; }
    const next = input[i + 1]!;
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) { out += input.slice(i); break; }
      const name = input.slice(i + 2, end);
      const v = lookup(name);
      out += v !== undefined ? v : `$(${name})`;
      i = end;
      continue;
    }
    out += ch;
  }
  return out;
}
