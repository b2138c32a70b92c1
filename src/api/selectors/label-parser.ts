/**
 * The label selector string grammar, ported from apimachinery's labels.Parse (lexer and
 * recursive-descent parser) so that accepted inputs and error messages match upstream:
 *
 *   selector    ::= requirement | requirement "," selector
 *   requirement ::= [!] KEY [ ("in"|"notin") "(" values ")" | ("="|"=="|"!="|">"|"<") VALUE ]
 */
import { keyError, requirementErrors, type LabelOperator, type LabelRequirement } from './requirement.js';
import { aggregate } from './go-format.js';

const enum Tok {
  Error, EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals,
  GreaterThan, Identifier, In, LessThan, NotEquals, NotIn, OpenPar,
}

const STRING_TO_TOKEN: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar], [',', Tok.Comma], ['!', Tok.DoesNotExist], ['==', Tok.DoubleEquals],
  ['=', Tok.Equals], ['>', Tok.GreaterThan], ['in', Tok.In], ['<', Tok.LessThan],
  ['!=', Tok.NotEquals], ['notin', Tok.NotIn], ['(', Tok.OpenPar],
]);

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

interface Item { tok: Tok; lit: string }

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

/** Splits the input into tokens; like upstream, "\0" ends the input. */
function lex(s: string): Item[] {
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++]! : '\0');
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === '\0') {
      item = { tok: Tok.EndOfString, lit: '' };
    } else if (isSpecial(ch)) {
      // Longest run of special symbols that still forms a token ("!=" vs "!").
      pos--;
      let buf = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecial(c)) { pos--; break; }
        buf += c;
        const t = STRING_TO_TOKEN.get(buf);
        if (t !== undefined) last = { tok: t, lit: buf };
        else if (last) { pos--; break; }
      }
      item = last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` };
    } else {
      pos--;
      let buf = '';
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) { pos--; break; }
        buf += c;
      }
      item = { tok: STRING_TO_TOKEN.get(buf) ?? Tok.Identifier, lit: buf };
    }
    items.push(item);
    if (item.tok === Tok.EndOfString) return items;
  }
}

class ParseError extends Error {}

class Parser {
  #items: Item[];
  #pos = 0;
  constructor(s: string) { this.#items = lex(s); }

  /** In a values context the keywords "in"/"notin" are plain identifiers. */
  #look(values: boolean): Item {
    const it = this.#items[this.#pos]!;
    return values && (it.tok === Tok.In || it.tok === Tok.NotIn) ? { tok: Tok.Identifier, lit: it.lit } : it;
  }
  #take(values: boolean): Item {
    const it = this.#look(values);
    this.#pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.#look(true);
      if (tok === Tok.EndOfString) return reqs;
      if (tok !== Tok.Identifier && tok !== Tok.DoesNotExist) {
        throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.#requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const next = this.#take(true);
      if (next.tok === Tok.EndOfString) return reqs;
      if (next.tok !== Tok.Comma) throw new ParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.#look(true);
      if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
        throw new ParseError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  #requirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let { tok, lit } = this.#take(true);
    if (tok === Tok.DoesNotExist) {
      operator = '!';
      ({ tok, lit } = this.#take(true));
    }
    if (tok !== Tok.Identifier) throw new ParseError(`found '${lit}', expected: identifier`);
    const key = lit;
    const kerr = keyError(key);
    if (kerr) throw new ParseError(kerr);
    const t = this.#look(true).tok;
    if ((t === Tok.EndOfString || t === Tok.Comma) && operator !== '!') operator = 'exists';
    if (operator === 'exists' || operator === '!') return checked(key, operator, []);
    operator = this.#operator();
    const values = operator === 'in' || operator === 'notin' ? this.#setValues() : this.#exactValue();
    // sets.String.List(): unique and sorted.
    return checked(key, operator, [...new Set(values)].sort());
  }

  #operator(): LabelOperator {
    const { tok, lit } = this.#take(false);
    switch (tok) {
      case Tok.In: return 'in';
      case Tok.Equals: return '=';
      case Tok.DoubleEquals: return '==';
      case Tok.GreaterThan: return 'gt';
      case Tok.LessThan: return 'lt';
      case Tok.NotIn: return 'notin';
      case Tok.NotEquals: return '!=';
      default: throw new ParseError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  #setValues(): string[] {
    const open = this.#take(true);
    if (open.tok !== Tok.OpenPar) throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.#look(true);
    if (tok === Tok.ClosedPar) { this.#pos++; return ['']; }
    if (tok !== Tok.Identifier && tok !== Tok.Comma) throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.#identifiers();
    // Upstream reports the token seen before the list, not the offending one.
    if (this.#take(true).tok !== Tok.ClosedPar) throw new ParseError(`found '${lit}', expected: ')'`);
    return values;
  }

  /** A possibly empty, comma separated list of possibly empty identifiers. */
  #identifiers(): string[] {
    const s: string[] = [];
    for (;;) {
      const { tok, lit } = this.#take(true);
      if (tok === Tok.Identifier) {
        s.push(lit);
        const next = this.#look(true);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return s;
        throw new ParseError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (s.length === 0) s.push('');
        const next = this.#look(true).tok;
        if (next === Tok.ClosedPar) { s.push(''); return s; }
        if (next === Tok.Comma) s.push('');
      } else {
        throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  #exactValue(): string[] {
    const t = this.#look(true).tok;
    if (t === Tok.EndOfString || t === Tok.Comma) return [''];
    const { tok, lit } = this.#take(true);
    if (tok === Tok.Identifier) return [lit];
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

function checked(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length) throw new ParseError(aggregate(errs));
  return { key, operator, values };
}

/**
 * Parses a selector string into requirements sorted by key (stable), or returns the
 * upstream error message.
 */
export function parseRequirements(s: string): LabelRequirement[] | string {
  try {
    return new Parser(s).parse().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } catch (e) {
    if (e instanceof ParseError) return e.message;
    throw e;
  }
}
