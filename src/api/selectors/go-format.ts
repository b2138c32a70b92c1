/**
 * Go formatting helpers, so selector errors read byte-for-byte like kube-apiserver's
 * (field.Error, %q, %#v of []string, utilerrors.Aggregate).
 */

/** Go's %q (strconv.Quote) for the characters that appear in selectors. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\t': out += '\\t'; break;
      case '\r': out += '\\r'; break;
      case '\x07': out += '\\a'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      default:
        if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
        else out += ch;
    }
  }
  return out + '"';
}

/** Go's %#v of a []string: `[]string{"a", "b"}`, `[]string{}` or `[]string(nil)`. */
export function goStringSlice(v: readonly string[] | undefined): string {
  if (v === undefined) return '[]string(nil)';
  return '[]string{' + v.map(goQuote).join(', ') + '}';
}

/** A field.Error of type Invalid: `<path>: Invalid value: <value>: <detail>`. */
export function invalidField(path: string, value: string | readonly string[] | undefined, detail: string): string {
  const shown = typeof value === 'string' ? goQuote(value) : goStringSlice(value);
  return `${path}: Invalid value: ${shown}${detail ? ': ' + detail : ''}`;
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets. */
export function aggregate(messages: readonly string[]): string {
  const seen = [...new Set(messages)];
  return seen.length === 1 ? seen[0]! : `[${seen.join(', ')}]`;
}
