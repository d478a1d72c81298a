import {
  LabelSelectorError,
  matchesLabelSelector,
  parseLabelSelector,
  selectorLabels,
} from './labelSelector';

describe('selectorLabels', () => {
  it('is the kubernetes-id label of an entity found by it', () => {
    expect(
      selectorLabels(parseLabelSelector('backstage.io/kubernetes-id=shop')),
    ).toEqual({ 'backstage.io/kubernetes-id': 'shop' });
  });

  it('takes only the equality terms of a label selector', () => {
    expect(
      selectorLabels(
        parseLabelSelector(
          'app=shop,tier==web,env in (prod),zone in (a,b),!legacy,x!=y',
        ),
      ),
    ).toEqual({ app: 'shop', tier: 'web', env: 'prod' });
  });
});

const QUALIFIED_NAME_HINT =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_HINT =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('label selectors', () => {
  const labels = {
    'backstage.io/kubernetes-id': 'shop',
    tier: 'web',
    'tekton.dev/pipeline': 'build',
    replicas: '3',
    empty: '',
  };

  it.each([
    ['backstage.io/kubernetes-id=shop', true],
    ['backstage.io/kubernetes-id==shop', true],
    ['backstage.io/kubernetes-id=cart', false],
    ['tier!=web', false],
    ['tier!=db', true],
    ['missing!=x', true],
    ['tier in (web, db)', true],
    ['tier notin (web,db)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['tier=web, tekton.dev/pipeline in (build)', true],
    ['tier=web,tekton.dev/pipeline=deploy', false],
    ['', true],
    // As Kubernetes reads them: "()" and "=" with nothing after are the
    // empty value, not "no value".
    ['empty in ()', true],
    ['tier in ()', false],
    ['empty=', true],
    ['tier in (,web)', true],
    ['replicas>2', true],
    ['replicas<3', false],
    ['tier>1', false],
    // Keywords are plain values inside a list.
    ['tier notin (in, notin)', true],
  ])('%j → %s', (selector, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(
      expected,
    );
  });

  it('parses requirements', () => {
    expect(parseLabelSelector('a=b,c notin (d,e,d),!f,n>3')).toEqual([
      { key: 'a', operator: 'in', values: ['b'] },
      { key: 'c', operator: 'notin', values: ['d', 'e'] },
      { key: 'f', operator: 'doesnotexist' },
      { key: 'n', operator: 'gt', values: ['3'] },
    ]);
  });

  // The API server's messages (k8s.io/apimachinery/pkg/labels), so the
  // portal refuses what a cluster would, in its words.
  it.each([
    ['a=b,,,', "found ',', expected: identifier after ','"],
    ['a=b,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a in', "unable to parse requirement: found '' expected: '('"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    [
      'a in (b c)',
      "unable to parse requirement: found 'c', expected: ',' or ')'",
    ],
    [
      'a in (=)',
      "unable to parse requirement: found '=', expected: ',', ')' or identifier",
    ],
    [
      'a!b',
      "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt",
    ],
    ['a==(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    [
      'app:monolith',
      `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part ${QUALIFIED_NAME_HINT}`,
    ],
    [
      '-a=b',
      `unable to parse requirement: <nil>: Invalid value: "-a": name part ${QUALIFIED_NAME_HINT}`,
    ],
    [
      '/a',
      'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty',
    ],
    [
      'a=b*',
      `unable to parse requirement: values[0][a]: Invalid value: "b*": ${LABEL_VALUE_HINT}`,
    ],
    [
      `a=${'x'.repeat(64)}`,
      `unable to parse requirement: values[0][a]: Invalid value: "${'x'.repeat(
        64,
      )}": must be no more than 63 characters`,
    ],
    [
      'a>b',
      "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
  ])('rejects %j as the API server does', (selector, message) => {
    let thrown: unknown;
    try {
      parseLabelSelector(selector);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LabelSelectorError);
    expect((thrown as Error).message).toBe(message);
  });
});
