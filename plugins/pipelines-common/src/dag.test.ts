import {
  buildPipelineGraph,
  findResultReferences,
  overlayRunStatus,
  validatePipelineSpec,
} from './dag';
import { PipelineRun, PipelineSpec, PipelineTask, TaskRun } from './types';

const clone = {
  name: 'clone',
  taskRef: { name: 'git-clone' },
};
const build = {
  name: 'build',
  runAfter: ['clone'],
  params: [{ name: 'commit', value: '$(tasks.clone.results.commit)' }],
};
const lint = {
  name: 'lint',
  when: [
    {
      input: '$(tasks.clone.results["changed"])',
      operator: 'in' as const,
      values: ['true'],
    },
  ],
};
const test = {
  name: 'test',
  params: [
    { name: 'args', value: ['--image', '$(tasks.build.results.image.digest)'] },
  ],
};
const deploy = {
  name: 'deploy',
  runAfter: ['test'],
  params: [
    {
      name: 'report',
      value: { path: '$(tasks.lint.results.report[*])' },
    },
  ],
  taskSpec: {
    steps: [
      {
        name: 'apply',
        image: 'kubectl',
        script: 'echo $(tasks.clone.results.commit)',
      },
    ],
  },
};
const notify = {
  name: 'notify',
  params: [
    { name: 'image', value: '$(tasks.build.results.image)' },
    { name: 'status', value: '$(tasks.status)' },
  ],
};

const spec: PipelineSpec = {
  tasks: [clone, build, lint, test, deploy],
  finally: [notify],
};

describe('findResultReferences', () => {
  it('finds references in params, when and matrix, in every notation', () => {
    expect(findResultReferences(build)).toEqual([
      { task: 'clone', result: 'commit' },
    ]);
    expect(findResultReferences(lint)).toEqual([
      { task: 'clone', result: 'changed' },
    ]);
    expect(findResultReferences(test)).toEqual([
      { task: 'build', result: 'image' },
    ]);
    // The script's reference is not one: Tekton does not substitute there.
    expect(findResultReferences(deploy)).toEqual([
      { task: 'lint', result: 'report' },
    ]);
    expect(
      findResultReferences({
        name: 'm',
        matrix: {
          params: [{ name: 'p', value: '$(tasks.a.results.list[*])' }],
        },
      }),
    ).toEqual([{ task: 'a', result: 'list' }]);
  });

  it('ignores params, context and execution status variables', () => {
    expect(findResultReferences(notify)).toEqual([
      { task: 'build', result: 'image' },
    ]);
    expect(
      findResultReferences({
        name: 'x',
        params: [
          {
            name: 'a',
            value: '$(params.revision) $(context.pipelineRun.name)',
          },
          { name: 'b', value: '$(tasks.build.status) $(tasks.build.reason)' },
        ],
      }),
    ).toEqual([]);
  });
});

describe('buildPipelineGraph', () => {
  const graph = buildPipelineGraph(spec);

  it('puts tasks at their longest-path depth and finally tasks after them', () => {
    const levels = Object.fromEntries(
      graph.nodes.map(n => [n.name, [n.lane, n.level]]),
    );
    expect(levels).toEqual({
      clone: ['tasks', 0],
      build: ['tasks', 1],
      lint: ['tasks', 1],
      test: ['tasks', 2],
      deploy: ['tasks', 3],
      notify: ['finally', 4],
    });
    expect(graph.issues).toEqual([]);
  });

  it('has one edge per ordered pair, runAfter winning over a result reference', () => {
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        { from: 'clone', to: 'build', kind: 'runAfter', results: ['commit'] },
        { from: 'clone', to: 'lint', kind: 'result', results: ['changed'] },
        { from: 'build', to: 'test', kind: 'result', results: ['image'] },
        { from: 'test', to: 'deploy', kind: 'runAfter' },
        { from: 'lint', to: 'deploy', kind: 'result', results: ['report'] },
        { from: 'build', to: 'notify', kind: 'result', results: ['image'] },
      ]),
    );
    expect(graph.edges).toHaveLength(6);
  });

  it('keeps the task and display name on each node', () => {
    const g = buildPipelineGraph({
      tasks: [{ name: 'a', displayName: 'Build A' }],
    });
    expect(g.nodes[0]).toMatchObject({
      displayName: 'Build A',
      task: { name: 'a' },
    });
  });

  it('handles a pipeline with no finally tasks', () => {
    const g = buildPipelineGraph({ tasks: [clone] });
    expect(g.nodes).toHaveLength(1);
    expect(g.edges).toEqual([]);
  });
});

describe('validatePipelineSpec', () => {
  it('reports duplicate task names, across lanes too', () => {
    expect(
      validatePipelineSpec({
        tasks: [clone, clone],
        finally: [{ name: 'clone' }],
      }),
    ).toEqual([
      {
        path: 'tasks[1].name',
        message:
          "task clone is already present in Graph, can't add it again: duplicate pipeline task",
      },
      {
        path: 'finally[0].name',
        message:
          "task clone is already present in Graph, can't add it again: duplicate pipeline task",
      },
    ]);
  });

  it('reports unknown runAfter targets and result references', () => {
    expect(
      validatePipelineSpec({
        tasks: [
          { name: 'a', runAfter: ['missing'] },
          {
            name: 'b',
            params: [{ name: 'p', value: '$(tasks.ghost.results.r)' }],
          },
        ],
      }),
    ).toEqual([
      {
        path: 'tasks[0].runAfter[0]',
        message:
          "invalid value: couldn't add link between a and missing: task a depends on missing but missing wasn't present in Pipeline",
      },
      {
        path: 'tasks[1]',
        message:
          "invalid value: couldn't add link between b and ghost: task b depends on ghost but ghost wasn't present in Pipeline",
      },
    ]);
  });

  it('rejects a DAG task running after or consuming a finally task', () => {
    const issues = validatePipelineSpec({
      tasks: [
        { name: 'a', runAfter: ['cleanup'] },
        {
          name: 'b',
          params: [{ name: 'p', value: '$(tasks.cleanup.results.r)' }],
        },
      ],
      finally: [{ name: 'cleanup' }],
    });
    expect(issues.map(i => i.message)).toEqual([
      "invalid value: couldn't add link between a and cleanup: task a depends on cleanup but cleanup wasn't present in Pipeline",
      "invalid value: couldn't add link between b and cleanup: task b depends on cleanup but cleanup wasn't present in Pipeline",
    ]);
  });

  it('reports cycles the way Tekton does', () => {
    expect(
      validatePipelineSpec({
        tasks: [
          { name: 'root' },
          { name: 'c', runAfter: ['root', 'b'] },
          { name: 'b', params: [{ name: 'p', value: '$(tasks.c.results.r)' }] },
          { name: 'after', runAfter: ['b'] },
        ],
      }),
    ).toEqual([
      {
        path: 'tasks',
        message: 'invalid value: cycle detected; task "after" depends on "b"',
      },
    ]);
    expect(
      validatePipelineSpec({ tasks: [{ name: 'self', runAfter: ['self'] }] }),
    ).toEqual([
      {
        path: 'tasks',
        message: 'invalid value: cycle detected; task "self" depends on "self"',
      },
    ]);
  });

  it('still lays out a pipeline with a cycle', () => {
    const g = buildPipelineGraph({
      tasks: [
        { name: 'a', runAfter: ['b'] },
        { name: 'b', runAfter: ['a'] },
      ],
    });
    expect(g.nodes.map(n => n.level).sort()).toEqual([0, 1]);
  });

  it('rejects runAfter under finally and result references between finally tasks', () => {
    expect(
      validatePipelineSpec({
        tasks: [{ name: 'a' }],
        finally: [
          { name: 'f1', runAfter: ['a'] },
          {
            name: 'f2',
            params: [
              { name: 'x', value: '$(tasks.f1.results.r)' },
              { name: 'y', value: '$(tasks.nope.results.r)' },
            ],
          },
        ],
      }),
    ).toEqual([
      {
        path: 'finally[0]',
        message:
          'invalid value: no runAfter allowed under spec.finally, final task f1 has runAfter specified',
      },
      {
        path: 'finally[1]',
        message:
          'invalid task result reference, final task has task result reference from a final task f1',
      },
      {
        path: 'finally[1]',
        message:
          'invalid task result reference, final task has task result reference from a task nope which is not defined in the pipeline',
      },
    ]);
  });

  it('requires DNS-1123 label task names', () => {
    const issues = validatePipelineSpec({
      tasks: [
        { name: 'Build_Image' },
        { name: 'x'.repeat(64) },
        { name: 'ok-1' },
      ],
      finally: [{ name: '-bad' }],
    });
    expect(issues.map(i => i.path)).toEqual([
      'tasks[0].name',
      'tasks[1].name',
      'finally[0].name',
    ]);
    expect(issues[0].message).toBe(
      'invalid value "Build_Image": Pipeline Task name must be a valid DNS Label',
    );
  });

  it('requires tasks, and tasks before finally tasks', () => {
    expect(validatePipelineSpec({})).toEqual([
      { path: 'tasks', message: 'missing field(s)' },
    ]);
    expect(validatePipelineSpec({ finally: [{ name: 'f' }] })).toEqual([
      {
        path: 'finally',
        message:
          'invalid value: spec.tasks is empty but spec.finally has 1 tasks',
      },
    ]);
  });
  it('reports a task without a name instead of throwing', () => {
    const unnamed = { taskRef: { name: 't' } } as unknown as PipelineTask;
    expect(validatePipelineSpec({ tasks: [unnamed] })).toEqual([
      {
        path: 'tasks[0].name',
        message:
          'invalid value "": Pipeline Task name must be a valid DNS Label',
      },
    ]);
  });

  it('reports the missing task once', () => {
    const issues = validatePipelineSpec({
      tasks: [
        {
          name: 'b',
          runAfter: ['ghost'],
          params: [
            { name: 'p', value: '$(tasks.ghost.results.one)' },
            { name: 'q', value: '$(tasks.ghost.results.two)' },
          ],
        },
      ],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('tasks[0].runAfter[0]');
  });
});

describe('overlayRunStatus', () => {
  const graph = buildPipelineGraph({
    tasks: [
      { name: 'clone' },
      { name: 'build', runAfter: ['clone'] },
      { name: 'lint' },
    ],
    finally: [{ name: 'notify' }],
  });
  const run: PipelineRun = {
    metadata: { name: 'r' },
    spec: {},
    status: {
      conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }],
      childReferences: [
        { name: 'r-clone', pipelineTaskName: 'clone' },
        { name: 'r-build', pipelineTaskName: 'build' },
      ],
      skippedTasks: [
        { name: 'lint', reason: 'When Expressions evaluated to false' },
      ],
    },
  };
  const children: TaskRun[] = [
    {
      metadata: { name: 'r-clone' },
      spec: {},
      status: {
        conditions: [
          { type: 'Succeeded', status: 'True', reason: 'Succeeded' },
        ],
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:00:30Z',
      },
    },
    {
      metadata: { name: 'r-build' },
      spec: {},
      status: {
        conditions: [
          { type: 'Succeeded', status: 'Unknown', reason: 'ToBeRetried' },
        ],
        startTime: '2026-01-01T00:00:40Z',
        retriesStatus: [
          {
            conditions: [
              { type: 'Succeeded', status: 'False', reason: 'Failed' },
            ],
          },
        ],
      },
    },
  ];
  const overlay = overlayRunStatus(
    graph,
    run,
    children,
    new Date('2026-01-01T00:01:40Z'),
  );

  it('gives each node its status, duration and retries', () => {
    expect(overlay.clone).toMatchObject({
      status: { status: 'succeeded' },
      duration: 30_000,
      retries: 0,
      startTime: '2026-01-01T00:00:00Z',
    });
    expect(overlay.build).toMatchObject({
      status: { status: 'running', label: 'Retrying' },
      duration: 60_000,
      retries: 1,
    });
  });

  it('shows skipped tasks with their reason and waiting ones as pending', () => {
    expect(overlay.lint).toMatchObject({
      status: { status: 'skipped' },
      skippedReason: 'When Expressions evaluated to false',
      duration: undefined,
    });
    expect(overlay.notify).toMatchObject({
      lane: 'finally',
      status: { status: 'pending' },
    });
  });
});

// Longer than the builder's 6,000: browsers have less stack than Node.
describe('a chain of 20,000 tasks', () => {
  const count = 20000;
  const tasks = Array.from({ length: count }, (_, i) => ({
    name: `t${i}`,
    ...(i ? { runAfter: [`t${i - 1}`] } : {}),
  }));

  it('gets its levels without running out of stack', () => {
    const graph = buildPipelineGraph({ tasks });
    expect(graph.issues).toEqual([]);
    expect(graph.nodes.map(n => n.level)).toEqual(tasks.map((_, i) => i));
  });

  it('reports a cycle closing it', () => {
    const cyclic = [
      { ...tasks[0], runAfter: [`t${count - 1}`] },
      ...tasks.slice(1),
    ];
    expect(validatePipelineSpec({ tasks: cyclic })).toEqual([
      {
        path: 'tasks',
        message: `invalid value: cycle detected; task "t0" depends on "t${
          count - 1
        }"`,
      },
    ]);
  });
});
