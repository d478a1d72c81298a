import { FieldPath, formatFieldError } from './errors';
import {
  formatLabelRequirements,
  labelSelectorMatcher,
  matchesLabelRequirements,
  parseLabelSelector,
  validateLabels,
  validateLabelSelector,
} from './labels';

const QUALIFIED_NAME_HINT =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function selects(selector: string, labels: Record<string, string>) {
  return matchesLabelRequirements(parseLabelSelector(selector), labels);
}

describe('parseLabelSelector', () => {
  it('parses every operator', () => {
    expect(
      parseLabelSelector(
        'x in (foo,,baz),y,z notin (),!w,a=b,c==d,e!=f,n>3,m<9',
      ),
    ).toEqual([
      { key: 'a', operator: '=', values: ['b'] },
      { key: 'c', operator: '==', values: ['d'] },
      { key: 'e', operator: '!=', values: ['f'] },
      { key: 'm', operator: 'lt', values: ['9'] },
      { key: 'n', operator: 'gt', values: ['3'] },
      { key: 'w', operator: '!', values: [] },
      { key: 'x', operator: 'in', values: ['', 'baz', 'foo'] },
      { key: 'y', operator: 'exists', values: [] },
      { key: 'z', operator: 'notin', values: [''] },
    ]);
  });

  it('accepts whitespace and keywords as values', () => {
    expect(parseLabelSelector(' env in ( in , notin ) ')).toEqual([
      { key: 'env', operator: 'in', values: ['in', 'notin'] },
    ]);
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector('a=')).toEqual([
      { key: 'a', operator: '=', values: [''] },
    ]);
  });

  it.each([
    ['x=a,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x=a y', "found 'y', expected: ',' or 'end of string'"],
    ['x in', "unable to parse requirement: found '' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    [
      'x in (a b)',
      "unable to parse requirement: found 'b', expected: ',' or ')'",
    ],
    [
      'x in (=)',
      "unable to parse requirement: found '=', expected: ',', ')' or identifier",
    ],
    [
      'x!y',
      "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt",
    ],
    ['x==(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    [
      'app:monolith',
      `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${QUALIFIED_NAME_HINT}`,
    ],
    [
      'a=b*',
      `unable to parse requirement: values[0][a]: Invalid value: "b*": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      'a>b',
      "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
  ])('rejects %j as kube-apiserver does', (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(message);
  });

  it('reports an invalid key prefix', () => {
    expect(() => parseLabelSelector('app.kubernetes_io/name=vault')).toThrow(
      `unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io/name": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });

  it('prints requirements back in selector syntax', () => {
    expect(
      formatLabelRequirements(parseLabelSelector('b notin (y,x),a,!c,d!=e')),
    ).toBe('a,b notin (x,y),!c,d!=e');
  });
});

describe('matching', () => {
  const labels = { app: 'web', tier: 'frontend', replicas: '3' };

  it('matches equality, sets and existence', () => {
    expect(selects('app=web', labels)).toBe(true);
    expect(selects('app==web,tier=frontend', labels)).toBe(true);
    expect(selects('app=db', labels)).toBe(false);
    expect(selects('app!=db', labels)).toBe(true);
    expect(selects('missing!=x', labels)).toBe(true);
    expect(selects('app in (web,db)', labels)).toBe(true);
    expect(selects('app notin (web)', labels)).toBe(false);
    expect(selects('missing notin (web)', labels)).toBe(true);
    expect(selects('missing in (web)', labels)).toBe(false);
    expect(selects('app', labels)).toBe(true);
    expect(selects('!app', labels)).toBe(false);
    expect(selects('!missing', labels)).toBe(true);
    expect(selects('replicas>2,replicas<4', labels)).toBe(true);
    expect(selects('app>2', labels)).toBe(false);
    expect(selects('', labels)).toBe(true);
  });

  it('treats missing labels as an empty set', () => {
    expect(matchesLabelRequirements(parseLabelSelector('!a'), undefined)).toBe(
      true,
    );
    expect(matchesLabelRequirements(parseLabelSelector('a'), null)).toBe(false);
  });

  it('matches metav1.LabelSelector: nil selects nothing, empty everything', () => {
    expect(labelSelectorMatcher(undefined)(labels)).toBe(false);
    expect(labelSelectorMatcher(null)({})).toBe(false);
    expect(labelSelectorMatcher({})({})).toBe(true);
    const match = labelSelectorMatcher({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'tier', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
      ],
    });
    expect(match(labels)).toBe(true);
    expect(match({ ...labels, canary: 'true' })).toBe(false);
    expect(match({ ...labels, env: 'prod' })).toBe(false);
  });

  it('rejects unknown operators in a LabelSelector', () => {
    expect(() =>
      labelSelectorMatcher({
        matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }],
      }),
    ).toThrow('"Gt" is not a valid label selector operator');
  });
});

describe('label validation', () => {
  it('validates keys and values under one path', () => {
    const errors = validateLabels(
      { 'app:x': 'ok', good: 'bad value', [`a/${'b'.repeat(64)}`]: '' },
      'metadata.labels',
    ).map(formatFieldError);
    expect(errors).toEqual([
      `metadata.labels: Invalid value: "a/${'b'.repeat(
        64,
      )}": name part must be no more than 63 characters`,
      `metadata.labels: Invalid value: "app:x": ${QUALIFIED_NAME_HINT}`,
      `metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]);
  });

  it('reports prefix and name problems separately', () => {
    expect(validateLabels({ '/x': 'v' }, 'l').map(formatFieldError)).toEqual([
      'l: Invalid value: "/x": prefix part must be non-empty',
    ]);
    expect(validateLabels({ 'a/b/c': 'v' }, 'l').map(formatFieldError)).toEqual(
      [
        `l: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    );
  });

  it('validates LabelSelector operators and values', () => {
    const errors = validateLabelSelector(
      {
        matchExpressions: [
          { key: 'a', operator: 'In', values: [] },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Equals', values: ['x'] },
        ],
      },
      FieldPath.of('spec', 'selector'),
    ).map(formatFieldError);
    expect(errors).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Equals": not a valid selector operator',
    ]);
  });
});
