/**
 * Kubernetes label selectors (`a=b,c!=d,e in (f,g),h notin (i),j,!k,n>1`),
 * parsed once and matched in memory against cached objects. The parser
 * follows k8s.io/apimachinery/pkg/labels (selector.go) token by token, so a
 * selector the API server rejects is rejected here with the API server's
 * message, and one it accepts means the same here (`a in ()` is `a in ("")`).
 */

/** One requirement of a label selector (`=`/`==` are `in`, `!=` is `notin`). @public */
export type LabelRequirement =
  | { key: string; operator: 'in' | 'notin'; values: string[] }
  | { key: string; operator: 'gt' | 'lt'; values: [string] }
  | { key: string; operator: 'exists' | 'doesnotexist' };

/** A parsed label selector: every requirement must hold. @public */
export type LabelSelector = LabelRequirement[];

/**
 * A selector the API server would reject; the message is the API server's
 * (the message of its 400 BadRequest).
 * @public
 */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

// Kubernetes' validation wording (k8s.io/apimachinery/pkg/util/validation).
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const anchored = (fmt: string) => new RegExp(`^${fmt}$`);
const QUALIFIED_NAME = anchored(QUALIFIED_NAME_FMT);
const LABEL_VALUE = anchored(LABEL_VALUE_FMT);
const DNS1123_SUBDOMAIN = anchored(DNS1123_SUBDOMAIN_FMT);
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function regexError(message: string, fmt: string, ...examples: string[]) {
  const quoted = examples.map(e => `'${e}', `).join(' or ');
  return `${message} (e.g. ${quoted}regex used for validation is '${fmt}')`;
}
const maxLenError = (length: number) =>
  `must be no more than ${length} characters`;

function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(
        QUALIFIED_NAME_MESSAGE,
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      )} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (!prefix) {
      errors.push('prefix part must be non-empty');
    } else {
      if (prefix.length > 253) errors.push(`prefix part ${maxLenError(253)}`);
      if (!DNS1123_SUBDOMAIN.test(prefix)) {
        errors.push(
          `prefix part ${regexError(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            'example.com',
          )}`,
        );
      }
    }
  }
  if (!name) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      `name part ${regexError(
        QUALIFIED_NAME_MESSAGE,
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      )}`,
    );
  }
  return errors;
}

function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errors;
}

/** A field.Invalid error as Go prints it; JSON quoting is Go's %q for these strings. */
const invalid = (path: string, value: string, detail: string) =>
  `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;

type Token =
  | 'end'
  | 'identifier'
  | 'in'
  | 'notin'
  | '('
  | ')'
  | ','
  | '!'
  | '='
  | '=='
  | '!='
  | '>'
  | '<';

interface Item {
  token: Token;
  literal: string;
}

const SYMBOLS = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const isSymbolChar = (ch: string) => '=!(),><'.includes(ch);
const isSpace = (ch: string) => ' \t\r\n'.includes(ch);

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isSpace(input[pos])) pos++;
    if (pos >= input.length) {
      items.push({ token: 'end', literal: '' });
      return items;
    }
    if (isSymbolChar(input[pos])) {
      // The longest symbol that is a token: "!=" and "==", else one character.
      const two = input.slice(pos, pos + 2);
      const literal = SYMBOLS.has(two) ? two : input[pos];
      pos += literal.length;
      items.push({ token: literal as Token, literal });
      continue;
    }
    const start = pos;
    while (
      pos < input.length &&
      !isSymbolChar(input[pos]) &&
      !isSpace(input[pos])
    ) {
      pos++;
    }
    const literal = input.slice(start, pos);
    items.push({
      token: literal === 'in' || literal === 'notin' ? literal : 'identifier',
      literal,
    });
  }
}

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  /** Where a value is read, the keywords `in` and `notin` are identifiers. */
  private peek(values = true): Item {
    return this.as(this.items[this.position], values);
  }

  private next(values = true): Item {
    return this.as(this.items[this.position++], values);
  }

  private as(item: Item, values: boolean): Item {
    return values && (item.token === 'in' || item.token === 'notin')
      ? { token: 'identifier', literal: item.literal }
      : item;
  }

  parse(): LabelSelector {
    const requirements: LabelSelector = [];
    for (;;) {
      const { token, literal } = this.peek();
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!') {
        throw new LabelSelectorError(
          `found '${literal}', expected: !, identifier, or 'end of string'`,
        );
      }
      try {
        requirements.push(this.requirement());
      } catch (error) {
        throw new LabelSelectorError(
          `unable to parse requirement: ${(error as Error).message}`,
        );
      }
      const after = this.next();
      if (after.token === 'end') return requirements;
      if (after.token !== ',') {
        throw new LabelSelectorError(
          `found '${after.literal}', expected: ',' or 'end of string'`,
        );
      }
      const following = this.peek();
      if (following.token !== 'identifier' && following.token !== '!') {
        throw new LabelSelectorError(
          `found '${following.literal}', expected: identifier after ','`,
        );
      }
    }
  }

  private requirement(): LabelRequirement {
    let item = this.next();
    const negated = item.token === '!';
    if (negated) item = this.next();
    if (item.token !== 'identifier') {
      throw new Error(`found '${item.literal}', expected: identifier`);
    }
    const key = item.literal;
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length) {
      throw new Error(invalid('<nil>', key, keyErrors.join('; ')));
    }
    const following = this.peek().token;
    if (negated) return { key, operator: 'doesnotexist' };
    if (following === 'end' || following === ',') {
      return { key, operator: 'exists' };
    }
    const operator = this.next(false);
    switch (operator.token) {
      case 'in':
      case 'notin':
        return this.checked(key, operator.token, this.setValues());
      case '=':
      case '==':
        return this.checked(key, 'in', this.exactValue());
      case '!=':
        return this.checked(key, 'notin', this.exactValue());
      case '>':
        return this.checked(key, 'gt', this.exactValue());
      case '<':
        return this.checked(key, 'lt', this.exactValue());
      default:
        throw new Error(
          `found '${operator.literal}', expected: in, notin, =, ==, !=, gt, lt`,
        );
    }
  }

  /** Validates values as labels.NewRequirement does. */
  private checked(
    key: string,
    operator: 'in' | 'notin' | 'gt' | 'lt',
    values: string[],
  ): LabelRequirement {
    const errors: string[] = [];
    if (operator === 'gt' || operator === 'lt') {
      if (!/^[-+]?[0-9]+$/.test(values[0])) {
        errors.push(
          invalid(
            'values[0]',
            values[0],
            "for 'Gt', 'Lt' operators, the value must be an integer",
          ),
        );
      }
    }
    values.forEach((value, i) => {
      const messages = labelValueErrors(value);
      if (messages.length) {
        errors.push(
          invalid(`values[${i}][${key}]`, value, messages.join('; ')),
        );
      }
    });
    if (errors.length === 1) throw new Error(errors[0]);
    if (errors.length > 1) throw new Error(`[${errors.join(', ')}]`);
    const unique = [...new Set(values)];
    return operator === 'gt' || operator === 'lt'
      ? { key, operator, values: [unique[0]] }
      : { key, operator, values: unique };
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.token !== '(') {
      throw new Error(`found '${open.literal}' expected: '('`);
    }
    const first = this.peek();
    if (first.token === ')') {
      this.next();
      return [''];
    }
    if (first.token !== 'identifier' && first.token !== ',') {
      throw new Error(
        `found '${first.literal}', expected: ',', ')' or identifier`,
      );
    }
    const values = this.identifierList();
    if (this.next().token !== ')') {
      // Kubernetes quotes the token that began the list here.
      throw new Error(`found '${first.literal}', expected: ')'`);
    }
    return values;
  }

  private identifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const item = this.next();
      if (item.token === 'identifier') {
        values.add(item.literal);
        const following = this.peek();
        if (following.token === ',') continue;
        if (following.token === ')') return [...values];
        throw new Error(`found '${following.literal}', expected: ',' or ')'`);
      }
      if (item.token !== ',') {
        throw new Error(
          `found '${item.literal}', expected: ',', or identifier`,
        );
      }
      // Empty entries, as in "(,a", "a,,b" and "a,)", are the empty value.
      if (values.size === 0) values.add('');
      const following = this.peek().token;
      if (following === ')') {
        values.add('');
        return [...values];
      }
      if (following === ',') {
        this.next();
        values.add('');
      }
    }
  }

  private exactValue(): string[] {
    const following = this.peek().token;
    if (following === 'end' || following === ',') return [''];
    const item = this.next();
    if (item.token === 'identifier') return [item.literal];
    throw new Error(`found '${item.literal}', expected: identifier`);
  }
}

/**
 * Parses a label selector as the API server does; a
 * {@link LabelSelectorError} with the API server's message if it would
 * reject it. The empty selector selects everything.
 * @public
 */
export function parseLabelSelector(selector: string): LabelSelector {
  return new Parser(lex(selector)).parse();
}

/**
 * The labels an object needs to be selected, as far as a selector names
 * them: its equality terms (`a=b`, `a==b`, `a in (b)`); set-based and
 * negative terms name no single value. How the portal labels what it
 * creates for an entity so the entity's selector finds it.
 * @public
 */
export function selectorLabels(
  selector: LabelSelector,
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const term of selector) {
    if (term.operator === 'in' && term.values.length === 1) {
      labels[term.key] = term.values[0];
    }
  }
  return labels;
}

/** Whether labels satisfy every requirement of a selector. @public */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return selector.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.operator) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case 'gt':
      case 'lt': {
        // Both sides are whole numbers (64-bit in Kubernetes); a label that
        // is not one matches neither.
        if (!has || !/^[-+]?[0-9]+$/.test(l[r.key])) return false;
        const actual = BigInt(l[r.key]);
        const bound = BigInt(r.values[0]);
        return r.operator === 'gt' ? actual > bound : actual < bound;
      }
      default:
        return false;
    }
  });
}
