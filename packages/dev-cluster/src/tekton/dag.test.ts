import { buildDag, taskDependencies } from './dag';
import type { PipelineTask } from './types';

const task = (
  name: string,
  extra: Partial<PipelineTask> = {},
): PipelineTask => ({
  name,
  taskRef: { name: 't' },
  ...extra,
});

describe('buildDag', () => {
  it('orders tasks by runAfter and result references', () => {
    const dag = buildDag([
      task('deploy', {
        params: [{ name: 'image', value: '$(tasks.build.results.image)' }],
      }),
      task('build', { runAfter: ['clone'] }),
      task('clone'),
      task('lint', {
        when: [
          {
            input: '$(tasks.clone.results.lang)',
            operator: 'in',
            values: ['go'],
          },
        ],
      }),
    ]);
    expect(dag.order).toEqual(['clone', 'build', 'lint', 'deploy']);
    expect(dag.parents.get('deploy')).toEqual(['build']);
    expect(dag.parents.get('lint')).toEqual(['clone']);
  });

  it('collects dependencies once', () => {
    expect(
      taskDependencies(
        task('x', {
          runAfter: ['a'],
          params: [
            { name: 'p', value: '$(tasks.a.results.r) $(tasks.b.results.r)' },
            { name: 'q', value: ['$(tasks.b.results.s[*])'] },
          ],
        }),
      ),
    ).toEqual(['a', 'b']);
  });

  it('rejects cycles, unknown tasks and duplicates with Tekton messages', () => {
    expect(() =>
      buildDag([
        task('a', { runAfter: ['b'] }),
        task('b', { runAfter: ['a'] }),
      ]),
    ).toThrow('cycle detected; task "a" depends on "b"');
    expect(() => buildDag([task('a', { runAfter: ['a'] })])).toThrow(
      'cycle detected; task "a" depends on "a"',
    );
    expect(() => buildDag([task('a', { runAfter: ['nope'] })])).toThrow(
      "task a depends on nope but nope wasn't present in Pipeline",
    );
    expect(() => buildDag([task('a'), task('a')])).toThrow(
      'task a is already present in Graph',
    );
  });
});
