import { Pipeline, Task } from '../types';
import { completionsFor } from './completion';

const pipeline: Pipeline = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'demo' },
  spec: {
    params: [
      { name: 'revision', description: 'Branch to build' },
      { name: 'flags', type: 'array' },
      {
        name: 'target',
        type: 'object',
        properties: { url: { type: 'string' }, env: { type: 'string' } },
      },
    ],
    workspaces: [{ name: 'shared' }],
    tasks: [
      {
        name: 'clone',
        taskRef: { name: 'git-clone' },
        workspaces: [{ name: 'output', workspace: 'shared' }],
      },
      {
        name: 'test',
        runAfter: ['clone'],
        taskSpec: {
          results: [{ name: 'report', type: 'array' }],
          steps: [{ image: 'a' }],
        },
      },
      {
        name: 'lint',
        taskSpec: {
          results: [
            { name: 'summary', description: 'One line' },
            {
              name: 'counts',
              type: 'object',
              properties: { errors: {}, warnings: {} },
            },
          ],
          steps: [{ image: 'a' }],
        },
      },
      {
        name: 'build',
        params: [{ name: 's', value: '$(tasks.lint.results.summary)' }],
        taskRef: { name: 'kaniko' },
      },
    ],
    finally: [{ name: 'notify', taskRef: { name: 'slack' } }],
  },
};

const gitClone: Task = {
  metadata: { name: 'git-clone' },
  spec: { results: [{ name: 'commit', description: 'The SHA' }] },
};

const labels = (task?: string, tasks?: Task[]) =>
  completionsFor(pipeline, { task }, { tasks }).map(c => c.label);

describe('completionsFor', () => {
  it('offers params in the form their type needs', () => {
    const params = completionsFor(pipeline, { task: 'clone' }).filter(
      c => c.type === 'param',
    );
    expect(params).toEqual([
      { label: '$(params.revision)', type: 'param', detail: 'Branch to build' },
      { label: '$(params.flags[*])', type: 'param', detail: 'array param' },
      { label: '$(params.target.url)', type: 'param', detail: 'object param' },
      { label: '$(params.target.env)', type: 'param', detail: 'object param' },
    ]);
  });

  it('offers results only of tasks that are not downstream', () => {
    // lint feeds build, so build's downstream does not include lint.
    expect(labels('build').filter(l => l.includes('.results.'))).toEqual([
      '$(tasks.test.results.report[*])',
      '$(tasks.lint.results.summary)',
      '$(tasks.lint.results.counts.errors)',
      '$(tasks.lint.results.counts.warnings)',
    ]);
    // build runs after lint: lint must not use build's results (none), nor its own.
    expect(labels('lint').filter(l => l.includes('.results.'))).toEqual([
      '$(tasks.test.results.report[*])',
    ]);
    // clone is upstream of test; test's results are not offered to clone.
    expect(labels('clone').filter(l => l.includes('.results.'))).toEqual([
      '$(tasks.lint.results.summary)',
      '$(tasks.lint.results.counts.errors)',
      '$(tasks.lint.results.counts.warnings)',
    ]);
  });

  it('knows results of referenced Tasks from the namespace', () => {
    expect(labels('test', [gitClone])).toContain(
      '$(tasks.clone.results.commit)',
    );
    expect(labels('test')).not.toContain('$(tasks.clone.results.commit)');
  });

  it("offers a task's bound workspaces and the pipeline's", () => {
    const workspaces = completionsFor(pipeline, { task: 'clone' }).filter(
      c => c.type === 'workspace',
    );
    expect(workspaces.map(c => c.label)).toEqual([
      '$(workspaces.output.path)',
      '$(workspaces.output.bound)',
      '$(workspaces.shared.bound)',
    ]);
  });

  it('offers the run context, and retries inside a task', () => {
    expect(labels().filter(l => l.includes('context'))).toEqual([
      '$(context.pipelineRun.name)',
      '$(context.pipelineRun.namespace)',
      '$(context.pipelineRun.uid)',
      '$(context.pipeline.name)',
    ]);
    expect(labels('clone')).toContain('$(context.pipelineTask.retries)');
  });

  it('offers finally tasks the results and status of every task', () => {
    const offered = labels('notify');
    expect(offered).toEqual(
      expect.arrayContaining([
        '$(tasks.test.results.report[*])',
        '$(tasks.status)',
        '$(tasks.clone.status)',
        '$(tasks.clone.reason)',
        '$(tasks.build.status)',
      ]),
    );
    expect(labels('build')).not.toContain('$(tasks.status)');
  });

  it('offers inside an inline taskSpec its own params, results, workspaces and context', () => {
    const inline: Pipeline = {
      metadata: { name: 'p' },
      spec: {
        params: [{ name: 'revision' }],
        tasks: [
          { name: 'clone', taskRef: { name: 'git-clone' } },
          {
            name: 'test',
            params: [
              { name: 'commit', value: '$(tasks.clone.results.commit)' },
            ],
            taskSpec: {
              params: [{ name: 'commit' }],
              results: [{ name: 'report' }],
              workspaces: [{ name: 'src' }],
              steps: [{ image: 'a' }],
            },
          },
        ],
      },
    };
    expect(
      completionsFor(inline, { task: 'test', taskSpec: true }).map(
        c => c.label,
      ),
    ).toEqual([
      '$(params.commit)',
      '$(params.revision)',
      '$(results.report.path)',
      '$(workspaces.src.path)',
      '$(workspaces.src.bound)',
      '$(context.taskRun.name)',
      '$(context.taskRun.namespace)',
      '$(context.taskRun.uid)',
      '$(context.task.name)',
      '$(context.task.retry-count)',
      '$(context.pipelineRun.name)',
      '$(context.pipelineRun.namespace)',
      '$(context.pipelineRun.uid)',
      '$(context.pipeline.name)',
    ]);
  });

  it("offers a matrixed task's results in aggregate, and its fan-out", () => {
    const matrixed: Pipeline = {
      metadata: { name: 'p' },
      spec: {
        tasks: [
          {
            name: 'build',
            matrix: { params: [{ name: 'os', value: ['linux', 'darwin'] }] },
            taskSpec: {
              results: [{ name: 'binary' }],
              steps: [{ image: 'a' }],
            },
          },
          { name: 'pack', taskRef: { name: 'zip' } },
        ],
      },
    };
    expect(
      completionsFor(matrixed, { task: 'pack' })
        .filter(c => c.type === 'result')
        .map(c => c.label),
    ).toEqual([
      '$(tasks.build.matrix.length)',
      '$(tasks.build.results.binary[*])',
    ]);
  });

  it('offers every result without a task (pipeline results)', () => {
    expect(labels().filter(l => l.includes('.results.'))).toHaveLength(4);
  });
});
