import { Pipeline } from '../types';
import { builderGraph } from './graph';
import { validatePipeline } from './validation';

const pipeline: Pipeline = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'demo' },
  spec: {
    tasks: [
      {
        name: 'clone',
        displayName: 'Clone the repo',
        taskRef: {
          resolver: 'hub',
          params: [{ name: 'name', value: 'git-clone' }],
        },
      },
      {
        name: 'test',
        runAfter: ['clone'],
        params: [{ name: 'c', value: '$(tasks.clone.results.commit)' }],
        taskSpec: { steps: [{ image: 'alpine', script: 'echo test' }] },
      },
      {
        name: 'build',
        taskRef: { name: 'kaniko' },
        when: [
          {
            input: '$(tasks.test.results.ok)',
            operator: 'in',
            values: ['true'],
          },
        ],
      },
      { name: 'broken', runAfter: ['ghost'], taskSpec: { steps: [{}] } },
    ],
    finally: [
      {
        name: 'notify',
        taskRef: { name: 'slack', resolver: undefined },
        params: [{ name: 'd', value: '$(tasks.build.results.digest)' }],
      },
    ],
  },
};

describe('builderGraph', () => {
  it('has a node per task and an edge per runAfter or consumed result', () => {
    expect(builderGraph(pipeline)).toEqual({
      nodes: [
        {
          name: 'clone',
          displayName: 'Clone the repo',
          finally: false,
          taskRef: 'hub: git-clone',
          inline: false,
          errors: 0,
          warnings: 0,
        },
        { name: 'test', finally: false, inline: true, errors: 0, warnings: 0 },
        {
          name: 'build',
          finally: false,
          taskRef: 'kaniko',
          inline: false,
          errors: 0,
          warnings: 0,
        },
        {
          name: 'broken',
          finally: false,
          inline: true,
          errors: 0,
          warnings: 0,
        },
        {
          name: 'notify',
          finally: true,
          taskRef: 'slack',
          inline: false,
          errors: 0,
          warnings: 0,
        },
      ],
      edges: [
        // runAfter wins over a result reference along the same pair.
        { from: 'clone', to: 'test', kind: 'runAfter' },
        { from: 'test', to: 'build', kind: 'result' },
        { from: 'build', to: 'notify', kind: 'result' },
      ],
    });
  });

  it('counts the errors and warnings of each node', () => {
    const problems = validatePipeline(pipeline);
    const graph = builderGraph(pipeline, problems);
    expect(graph.nodes.find(n => n.name === 'broken')!.errors).toBe(2);
    // build uses a result "ok" that test does not declare.
    expect(graph.nodes.filter(n => n.errors > 0).map(n => n.name)).toEqual([
      'build',
      'broken',
    ]);
    const warned = builderGraph(pipeline, [
      {
        severity: 'warning',
        path: 'spec.tasks[0]',
        message: 'w',
        task: 'test',
      },
      {
        severity: 'warning',
        path: 'spec.tasks[0]',
        message: 'w',
        task: 'test',
      },
    ]).nodes.find(n => n.name === 'test')!;
    expect([warned.errors, warned.warnings]).toEqual([0, 2]);
  });

  it('skips entries that are not tasks instead of throwing', () => {
    expect(
      builderGraph({
        metadata: { name: 'x' },
        spec: { tasks: [null, 'x', { name: 'a' }] as any },
      }).nodes.map(n => n.name),
    ).toEqual(['a']);
  });
});
