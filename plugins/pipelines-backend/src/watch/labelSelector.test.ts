import { matchesLabelSelector, parseLabelSelector } from './labelSelector';

describe('label selectors', () => {
  const labels = {
    'backstage.io/kubernetes-id': 'shop',
    tier: 'web',
    'tekton.dev/pipeline': 'build',
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
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(
      expected,
    );
  });

  it('parses requirements', () => {
    expect(parseLabelSelector('a=b,c notin (d,e),!f')).toEqual([
      { key: 'a', operator: 'in', values: ['b'] },
      { key: 'c', operator: 'notin', values: ['d', 'e'] },
      { key: 'f', operator: 'doesnotexist' },
    ]);
  });

  it.each([
    ['a=b=c', 'is not a label value'],
    ['a in b', 'cannot read "a in b"'],
    ['-a=b', '"-a" is not a label key'],
    [`a=${'x'.repeat(64)}`, 'is not a label value'],
  ])('rejects %s', (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(message);
  });
});
