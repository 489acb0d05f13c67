/**
 * The `filter` of Cloud Identity `policies.list`, read as Google documents it: a CEL expression of
 * `setting.type.matches('<RE2>')` and `customer == "customers/<id>"` clauses joined by `&&`, `||`
 * and parentheses (discovery document cloudidentity v1, `policies.list` `filter`). String literals are
 * CEL string literals: a backslash must start a valid CEL escape (cel-spec `doc/langdef.md`,
 * "String and Bytes Values"; triple-quoted literals are not accepted here), so `'^settings/x\.y$'` is refused like Google refuses it, and
 * `'^settings/x\\.y$'` is the regex `^settings/x\.y$`. Anything else is refused too: the simulator
 * must not accept a filter the real API would not.
 */

export interface PolicyCandidate {
  settingType: string;
  customer: string;
}

export type PolicyFilter = (p: PolicyCandidate) => boolean;

export class PolicyFilterError extends Error {}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'op'; value: '&&' | '||' | '==' | '(' | ')' | '.' };

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** One CEL quoted string starting at `start` (the quote); returns its value and the index after it. */
function readString(text: string, start: number, raw: boolean): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) return { value, end: i + 1 };
    if (c === '\n') break;
    if (c !== '\\' || raw) {
      value += c;
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[next];
      i += 2;
      continue;
    }
    const hex = /^(?:[xX]([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-3][0-7]{2}))/.exec(text.slice(i + 1));
    if (!hex) throw new PolicyFilterError(`invalid escape sequence "\\${next}" in a string literal at position ${i}`);
    const code = hex[1] ?? hex[2] ?? hex[3];
    value += code !== undefined ? String.fromCodePoint(parseInt(code, 16)) : String.fromCharCode(parseInt(hex[4], 8));
    i += 1 + hex[0].length;
  }
  throw new PolicyFilterError(`unterminated string literal at position ${start}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      const { value, end } = readString(text, i, false);
      tokens.push({ kind: 'string', value });
      i = end;
    } else if ((c === 'r' || c === 'R') && (text[i + 1] === "'" || text[i + 1] === '"')) {
      const { value, end } = readString(text, i + 1, true);
      tokens.push({ kind: 'string', value });
      i = end;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i) || text.startsWith('==', i)) {
      tokens.push({ kind: 'op', value: text.slice(i, i + 2) as '&&' | '||' | '==' });
      i += 2;
    } else if (c === '(' || c === ')' || c === '.') {
      tokens.push({ kind: 'op', value: c });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'ident', value: ident });
      i += ident.length;
    } else {
      throw new PolicyFilterError(`unexpected character "${c}" at position ${i}`);
    }
  }
  return tokens;
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): PolicyFilter {
    const expr = this.or();
    if (this.at < this.tokens.length) throw new PolicyFilterError('unexpected input after the expression');
    return expr;
  }

  private peekOp(value: string): boolean {
    const t = this.tokens[this.at];
    return t?.kind === 'op' && t.value === value;
  }

  private expectOp(value: string): void {
    if (!this.peekOp(value)) throw new PolicyFilterError(`expected "${value}"`);
    this.at++;
  }

  private expectIdent(value: string): void {
    const t = this.tokens[this.at];
    if (t?.kind !== 'ident' || t.value !== value) throw new PolicyFilterError(`expected "${value}"`);
    this.at++;
  }

  private string(): string {
    const t = this.tokens[this.at];
    if (t?.kind !== 'string') throw new PolicyFilterError('expected a string literal');
    this.at++;
    return t.value;
  }

  private or(): PolicyFilter {
    let left = this.and();
    while (this.peekOp('||')) {
      this.at++;
      const l = left;
      const r = this.and();
      left = (p) => l(p) || r(p);
    }
    return left;
  }

  private and(): PolicyFilter {
    let left = this.primary();
    while (this.peekOp('&&')) {
      this.at++;
      const l = left;
      const r = this.primary();
      left = (p) => l(p) && r(p);
    }
    return left;
  }

  private primary(): PolicyFilter {
    if (this.peekOp('(')) {
      this.at++;
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    const t = this.tokens[this.at];
    if (t?.kind === 'ident' && t.value === 'customer') {
      this.at++;
      this.expectOp('==');
      const value = this.string();
      const match = /^customers\/(.+)$/.exec(value);
      if (!match) throw new PolicyFilterError('customer must be "customers/{customer}"');
      const wanted = match[1];
      return (p) => wanted === 'my_customer' || wanted === p.customer;
    }
    this.expectIdent('setting');
    this.expectOp('.');
    this.expectIdent('type');
    this.expectOp('.');
    this.expectIdent('matches');
    this.expectOp('(');
    const source = this.string();
    this.expectOp(')');
    let regex: RegExp;
    try {
      // RE2 and JavaScript agree on what these filters use (anchors, classes, escaped dots).
      regex = new RegExp(source);
    } catch {
      throw new PolicyFilterError('invalid regular expression in setting.type.matches');
    }
    return (p) => regex.test(p.settingType);
  }
}

/** Undefined for an absent or blank filter (every policy); throws PolicyFilterError when Google would refuse. */
export function parsePolicyFilter(filter: string | null): PolicyFilter | undefined {
  if (filter === null || filter.trim() === '') return undefined;
  return new Parser(tokenize(filter)).parse();
}
