import { childName, missingMetadata, propagatedMetadata } from './labels';

describe('labels', () => {
  it('lets the child win when propagating, and drops last-applied-configuration', () => {
    expect(
      propagatedMetadata(
        {
          labels: { team: 'a', shared: 'parent' },
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': '{}',
            note: 'n',
          },
        },
        { labels: { shared: 'child' } },
      ),
    ).toEqual({
      labels: { team: 'a', shared: 'child' },
      annotations: { note: 'n' },
    });
  });

  it('lists only inherited metadata a run lacks', () => {
    expect(
      missingMetadata(
        { labels: { 'tekton.dev/pipeline': 'p', team: 'mine' } },
        {
          labels: { 'tekton.dev/pipeline': 'p', team: 'theirs', tier: 'x' },
          annotations: {},
        },
      ),
    ).toEqual({ labels: { tier: 'x' } });
    expect(
      missingMetadata({ labels: { a: '1' } }, { labels: { a: '2' } }),
    ).toBeUndefined();
  });

  it('shortens long child names with a hash, as kmeta.ChildName does', () => {
    expect(childName('run', '-build')).toBe('run-build');
    const long = childName('a'.repeat(60), '-build');
    expect(long).toHaveLength(63);
    expect(long.endsWith('-build')).toBe(true);
  });
});
