/**
 * Label selectors: the string syntax of `?labelSelector=` (parsed exactly as
 * k8s.io/apimachinery/pkg/labels does, with its error messages), the
 * `metav1.LabelSelector` structure, and label validation.
 */

import type { V1LabelSelector } from '@kubernetes/client-node';
import {
  aggregateFieldErrors,
  FieldError,
  fieldErrors,
  FieldPath,
  goQuote,
} from './errors';
import { isQualifiedName, isValidLabelValue } from './validation/names';

/** A requirement operator, as apimachinery's `selection.Operator`. */
export type LabelOperator =
  | 'in'
  | 'notin'
  | '='
  | '=='
  | '!='
  | 'exists'
  | '!'
  | 'gt'
  | 'lt';

/** One requirement of a label selector; all requirements must match. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated, as a Go string set lists them. */
  values: string[];
}

/** Labels of an object (absent labels behave as an empty map). */
export type Labels = Record<string, string> | undefined | null;

/** Thrown for an unparsable selector; the message is the API server's. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

type Token =
  | 'end'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'identifier'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

const SYMBOL_TOKENS = new Set(['(', ')', ',', '!', '==', '=', '>', '<', '!=']);
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

interface Scanned {
  token: Token;
  literal: string;
}

const isWhitespace = (ch: string) =>
  ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string) => '=!(),><'.includes(ch);

function lex(input: string): Scanned[] {
  const items: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos])) pos++;
    if (pos >= input.length) {
      items.push({ token: 'end', literal: '' });
      return items;
    }
    if (isSpecialSymbol(input[pos])) {
      // Longest symbol that is a token: "!=" and "==", else one character.
      const two = input.slice(pos, pos + 2);
      const symbol = SYMBOL_TOKENS.has(two) ? two : input[pos];
      pos += symbol.length;
      items.push({ token: symbol as Token, literal: symbol });
      continue;
    }
    const start = pos;
    while (
      pos < input.length &&
      !isSpecialSymbol(input[pos]) &&
      !isWhitespace(input[pos])
    ) {
      pos++;
    }
    const literal = input.slice(start, pos);
    const token: Token =
      literal === 'in' || literal === 'notin' ? literal : 'identifier';
    items.push({ token, literal });
  }
}

/** `<nil>` is how Go prints the unset field path the parser validates with. */
function keyError(key: string): string | undefined {
  const messages = isQualifiedName(key);
  return messages.length
    ? `<nil>: Invalid value: ${goQuote(key)}: ${messages.join('; ')}`
    : undefined;
}

/** Validates a requirement as labels.NewRequirement does, with its paths. */
function requirementErrors(
  key: string,
  operator: LabelOperator,
  values: string[],
): FieldError[] {
  const errors: FieldError[] = [];
  const keyMessages = isQualifiedName(key);
  if (keyMessages.length) {
    errors.push(fieldErrors.invalid('key', key, keyMessages.join('; ')));
  }
  if ((operator === 'gt' || operator === 'lt') && values.length === 1) {
    if (!/^[-+]?[0-9]+$/.test(values[0])) {
      errors.push(
        fieldErrors.invalid(
          'values[0]',
          values[0],
          "for 'Gt', 'Lt' operators, the value must be an integer",
        ),
      );
    }
  }
  values.forEach((value, i) => {
    const messages = isValidLabelValue(value);
    if (messages.length) {
      errors.push(
        fieldErrors.invalid(
          FieldPath.of('values').index(i).key(key),
          value,
          messages.join('; '),
        ),
      );
    }
  });
  return errors;
}

class Parser {
  private position = 0;
  constructor(private readonly items: Scanned[]) {}

  /** In value context the keywords `in`/`notin` are plain identifiers. */
  private lookahead(values: boolean): Scanned {
    return this.asContext(this.items[this.position], values);
  }

  private consume(values: boolean): Scanned {
    return this.asContext(this.items[this.position++], values);
  }

  private asContext(item: Scanned, values: boolean): Scanned {
    if (values && (item.token === 'in' || item.token === 'notin')) {
      return { token: 'identifier', literal: item.literal };
    }
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { token, literal } = this.lookahead(true);
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!') {
        throw new SelectorParseError(
          `found '${literal}', expected: !, identifier, or 'end of string'`,
        );
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        throw new SelectorParseError(
          `unable to parse requirement: ${(error as Error).message}`,
        );
      }
      const next = this.consume(true);
      if (next.token === 'end') return requirements;
      if (next.token !== ',') {
        throw new SelectorParseError(
          `found '${next.literal}', expected: ',' or 'end of string'`,
        );
      }
      const after = this.lookahead(true);
      if (after.token !== 'identifier' && after.token !== '!') {
        throw new SelectorParseError(
          `found '${after.literal}', expected: identifier after ','`,
        );
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let { token, literal } = this.consume(true);
    if (token === '!') {
      operator = '!';
      ({ token, literal } = this.consume(true));
    }
    if (token !== 'identifier') {
      throw new Error(`found '${literal}', expected: identifier`);
    }
    const key = literal;
    const invalidKey = keyError(key);
    if (invalidKey) throw new Error(invalidKey);
    const next = this.lookahead(true).token;
    if (next === 'end' || next === ',') {
      return this.requirement(key, operator ?? 'exists', []);
    }
    operator = this.parseOperator();
    const values =
      operator === 'in' || operator === 'notin'
        ? this.parseValues()
        : this.parseExactValue();
    return this.requirement(key, operator, values);
  }

  private requirement(
    key: string,
    operator: LabelOperator,
    values: string[],
  ): LabelRequirement {
    const errors = requirementErrors(key, operator, values);
    if (errors.length) throw new Error(aggregateFieldErrors(errors));
    return { key, operator, values: [...new Set(values)].sort() };
  }

  private parseOperator(): LabelOperator {
    const { token, literal } = this.consume(false);
    switch (token) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new Error(`found '${literal}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.token !== '(') {
      throw new Error(`found '${open.literal}' expected: '('`);
    }
    const first = this.lookahead(true);
    if (first.token === ')') {
      this.consume(true);
      return [''];
    }
    if (first.token !== 'identifier' && first.token !== ',') {
      throw new Error(
        `found '${first.literal}', expected: ',', ')' or identifier`,
      );
    }
    const values = this.parseIdentifierList();
    if (this.consume(true).token !== ')') {
      // Kubernetes quotes the token that opened the list here.
      throw new Error(`found '${first.literal}', expected: ')'`);
    }
    return values;
  }

  private parseIdentifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const { token, literal } = this.consume(true);
      if (token === 'identifier') {
        values.add(literal);
        const next = this.lookahead(true);
        if (next.token === ',') continue;
        if (next.token === ')') return [...values];
        throw new Error(`found '${next.literal}', expected: ',' or ')'`);
      } else if (token === ',') {
        // Empty entries ("(,a", "a,,b", "a,)") are the empty value.
        if (values.size === 0) values.add('');
        const next = this.lookahead(true).token;
        if (next === ')') {
          values.add('');
          return [...values];
        }
        if (next === ',') {
          this.consume(true);
          values.add('');
        }
      } else {
        throw new Error(`found '${literal}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true);
    if (next.token === 'end' || next.token === ',') return [''];
    const { token, literal } = this.consume(true);
    if (token === 'identifier') return [literal];
    throw new Error(`found '${literal}', expected: identifier`);
  }
}

/**
 * Parses a label selector string (`a=b,c!=d,e in (x,y),!f`), throwing
 * {@link SelectorParseError} with the message kube-apiserver returns (as the
 * message of a 400 BadRequest). The empty string selects everything.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const requirements = new Parser(lex(selector)).parse();
  // Stable sort by key, as Go sorts requirements for a deterministic order.
  return requirements.sort((a, b) => {
    if (a.key === b.key) return 0;
    return a.key < b.key ? -1 : 1;
  });
}

/** True when the labels satisfy one requirement. */
export function matchesLabelRequirement(
  requirement: LabelRequirement,
  labels: Labels,
): boolean {
  const has =
    !!labels && Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels![requirement.key] : undefined;
  switch (requirement.operator) {
    case 'in':
    case '=':
    case '==':
      return has && requirement.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !requirement.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[-+]?[0-9]+$/.test(value!)) return false;
      const actual = BigInt(value!);
      const bound = BigInt(requirement.values[0]);
      return requirement.operator === 'gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** True when the labels satisfy every requirement (none selects everything). */
export function matchesLabelRequirements(
  requirements: readonly LabelRequirement[],
  labels: Labels,
): boolean {
  return requirements.every(r => matchesLabelRequirement(r, labels));
}

/**
 * A matcher for a `metav1.LabelSelector` (LabelSelectorAsSelector): a null or
 * undefined selector matches nothing, an empty one matches everything.
 * Throws for an unknown operator: `"Foo" is not a valid label selector operator`.
 */
export function labelSelectorMatcher(
  selector: V1LabelSelector | null | undefined,
): (labels: Labels) => boolean {
  if (!selector) return () => false;
  const requirements = labelSelectorRequirements(selector);
  return labels => matchesLabelRequirements(requirements, labels);
}

const SELECTOR_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** The requirements a (non-null) `metav1.LabelSelector` stands for. */
export function labelSelectorRequirements(
  selector: V1LabelSelector,
): LabelRequirement[] {
  const requirements: LabelRequirement[] = Object.entries(
    selector.matchLabels ?? {},
  ).map(([key, value]) => ({ key, operator: '=', values: [value] }));
  for (const expression of selector.matchExpressions ?? []) {
    const operator = SELECTOR_OPERATORS[expression.operator];
    if (!operator) {
      throw new SelectorParseError(
        `${goQuote(
          expression.operator,
        )} is not a valid label selector operator`,
      );
    }
    requirements.push({
      key: expression.key,
      operator,
      values: [...new Set(expression.values ?? [])].sort(),
    });
  }
  return requirements;
}

/** The selector in string form, as labels.Selector String() prints it. */
export function formatLabelRequirements(
  requirements: readonly LabelRequirement[],
): string {
  return requirements
    .map(({ key, operator, values }) => {
      switch (operator) {
        case 'exists':
          return key;
        case '!':
          return `!${key}`;
        case 'in':
        case 'notin':
          return `${key} ${operator} (${values.join(',')})`;
        case 'gt':
          return `${key}>${values[0]}`;
        case 'lt':
          return `${key}<${values[0]}`;
        default:
          return `${key}${operator}${values[0]}`;
      }
    })
    .join(',');
}

/** Validates a label map (metadata.labels, matchLabels, nodeSelector). */
export function validateLabels(
  labels: Record<string, unknown> | undefined | null,
  path: FieldPath | string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(labels ?? {}).sort()) {
    errors.push(...validateLabelName(key, path));
    const value = labels![key];
    for (const message of isValidLabelValue(String(value ?? ''))) {
      errors.push(fieldErrors.invalid(path, value, message));
    }
  }
  return errors;
}

/** Validates one label key (a qualified name). */
export function validateLabelName(
  key: string,
  path: FieldPath | string,
): FieldError[] {
  return isQualifiedName(key).map(message =>
    fieldErrors.invalid(path, key, message),
  );
}

/** Validates a `metav1.LabelSelector` as metav1validation.ValidateLabelSelector does. */
export function validateLabelSelector(
  selector: V1LabelSelector | null | undefined,
  path: FieldPath,
): FieldError[] {
  if (!selector) return [];
  const errors = validateLabels(
    selector.matchLabels,
    path.child('matchLabels'),
  );
  (selector.matchExpressions ?? []).forEach((expression, i) => {
    const at = path.child('matchExpressions').index(i);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errors.push(
            fieldErrors.required(
              at.child('values'),
              "must be specified when `operator` is 'In' or 'NotIn'",
            ),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errors.push(
            fieldErrors.forbidden(
              at.child('values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errors.push(
          fieldErrors.invalid(
            at.child('operator'),
            expression.operator,
            'not a valid selector operator',
          ),
        );
    }
    errors.push(...validateLabelName(expression.key, at.child('key')));
    values.forEach((value, j) => {
      for (const message of isValidLabelValue(value)) {
        errors.push(
          fieldErrors.invalid(at.child('values').index(j), value, message),
        );
      }
    });
  });
  return errors;
}
