import { refTarget } from './resolvers';

describe('refTarget', () => {
  it('resolves names in the run namespace', () => {
    expect(refTarget({ name: 'build' }, 'task', 'ns')).toEqual({
      namespace: 'ns',
      name: 'build',
    });
  });

  it('resolves through the cluster resolver', () => {
    expect(
      refTarget(
        {
          resolver: 'cluster',
          params: [
            { name: 'kind', value: 'pipeline' },
            { name: 'name', value: 'release' },
            { name: 'namespace', value: 'shared' },
          ],
        },
        'pipeline',
        'ns',
      ),
    ).toEqual({ namespace: 'shared', name: 'release', resolver: 'cluster' });
  });

  it('explains what it cannot resolve', () => {
    expect(refTarget({ resolver: 'git', params: [] }, 'task', 'ns')).toEqual({
      error:
        'resolver type git is not enabled in the dev cluster (only "cluster" is)',
    });
    expect(
      refTarget(
        { resolver: 'cluster', params: [{ name: 'kind', value: 'task' }] },
        'task',
        'ns',
      ),
    ).toEqual({ error: 'missing required cluster resolver params: name' });
  });
});
