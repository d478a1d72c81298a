import { parse } from 'yaml';
import { Pipeline } from '../types';
import { changedBlock, lineDiff } from './__testUtils__/lineDiff';
import {
  applyEdit,
  BuilderEdit,
  BuilderEditError,
  newPipelineYaml,
  parsePipelineYaml,
  pipelineToYaml,
  toEditablePipeline,
} from './document';

const base = `# Demo pipeline
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: demo # keep me
spec:
  params:
    - name: revision
      default: "main"
  tasks:
    - name: clone
      taskRef: {name: git-clone}
    - name: test # runs the tests
      runAfter: [clone]
      params:
        - name: commit
          value: $(tasks.clone.results.commit)
      taskSpec:
        steps:
          - image: alpine
            script: |
              echo test
    - name: build
      runAfter:
        - test
      taskRef:
        name: kaniko
  finally:
    - name: notify
      params:
        - name: status
          value: $(tasks.clone.status)
      taskRef:
        name: slack
`;

function edit(e: BuilderEdit, text = base) {
  const next = applyEdit(text, e);
  return { next, value: parse(next) as Pipeline, ...lineDiff(text, next) };
}

function failure(e: BuilderEdit, text = base): BuilderEditError {
  try {
    applyEdit(text, e);
  } catch (error) {
    expect(error).toBeInstanceOf(BuilderEditError);
    return error as BuilderEditError;
  }
  throw new Error('expected the edit to fail');
}

const names = (p: Pipeline) => p.spec.tasks!.map(t => t.name);

describe('applyEdit', () => {
  describe('addTask', () => {
    const lint = { name: 'lint', taskRef: { name: 'golangci-lint' } };

    it('adds a task after another, right after it', () => {
      const { value, removed, added } = edit({
        kind: 'addTask',
        task: lint,
        placement: { type: 'after', of: 'test' },
      });
      expect(names(value)).toEqual(['clone', 'test', 'lint', 'build']);
      expect(value.spec.tasks![2]).toEqual({ ...lint, runAfter: ['test'] });
      expect(removed).toEqual([]);
      expect(added).toEqual([
        '    - name: lint',
        '      runAfter:',
        '        - test',
        '      taskRef:',
        '        name: golangci-lint',
      ]);
    });

    it('adds a task before another, between it and what it ran after', () => {
      const { value } = edit({
        kind: 'addTask',
        task: lint,
        placement: { type: 'before', of: 'build' },
      });
      expect(names(value)).toEqual(['clone', 'test', 'lint', 'build']);
      expect(value.spec.tasks![2].runAfter).toEqual(['test']);
      expect(value.spec.tasks![3].runAfter).toEqual(['lint']);
    });

    it('adds a task in parallel: same dependencies, same dependents', () => {
      const { value } = edit({
        kind: 'addTask',
        task: lint,
        placement: { type: 'parallel', of: 'test' },
      });
      expect(names(value)).toEqual(['clone', 'test', 'lint', 'build']);
      expect(value.spec.tasks![2].runAfter).toEqual(['clone']);
      expect(value.spec.tasks![3].runAfter).toEqual(['test', 'lint']);
    });

    it('adds a root task and a finally task', () => {
      expect(
        edit({ kind: 'addTask', task: lint, placement: { type: 'root' } }).value
          .spec.tasks![3],
      ).toEqual(lint);
      const { value } = edit({
        kind: 'addTask',
        task: lint,
        placement: { type: 'finally' },
      });
      expect(value.spec.finally!.map(t => t.name)).toEqual(['notify', 'lint']);
    });

    it('creates spec.tasks in a new pipeline', () => {
      const { value, next } = edit(
        { kind: 'addTask', task: lint, placement: { type: 'root' } },
        newPipelineYaml('fresh'),
      );
      expect(value.spec.tasks).toEqual([lint]);
      expect(next).toContain('  tasks:\n    - name: lint\n');
    });

    it('refuses duplicate names, unknown anchors and runAfter in finally', () => {
      expect(
        failure({
          kind: 'addTask',
          task: { name: 'build', taskRef: { name: 'x' } },
          placement: { type: 'root' },
        }).message,
      ).toBe('A task named "build" already exists; choose another name.');
      expect(
        failure({
          kind: 'addTask',
          task: lint,
          placement: { type: 'after', of: 'ghost' },
        }).message,
      ).toBe('There is no task "ghost" in this pipeline.');
      expect(
        failure({
          kind: 'addTask',
          task: lint,
          placement: { type: 'after', of: 'notify' },
        }).message,
      ).toMatch(/"notify" is a finally task/);
      expect(
        failure({
          kind: 'addTask',
          task: { ...lint, runAfter: ['clone'] },
          placement: { type: 'finally' },
        }).message,
      ).toMatch(/finally task cannot have runAfter/);
      expect(
        failure({
          kind: 'addTask',
          task: { name: '', taskRef: { name: 'x' } },
          placement: { type: 'root' },
        }).message,
      ).toBe('The new task needs a name.');
    });
  });

  describe('removeTask', () => {
    it('removes a task and drops it from runAfter of others', () => {
      const { value, removed, added } = edit({
        kind: 'removeTask',
        name: 'test',
      });
      expect(names(value)).toEqual(['clone', 'build']);
      expect(value.spec.tasks![1].runAfter).toBeUndefined();
      expect(added).toEqual([]);
      expect(removed).toEqual([
        '    - name: test # runs the tests',
        '      runAfter: [clone]',
        '      params:',
        '        - name: commit',
        '          value: $(tasks.clone.results.commit)',
        '      taskSpec:',
        '        steps:',
        '          - image: alpine',
        '            script: |',
        '              echo test',
        '      runAfter:',
        '        - test',
      ]);
    });

    it('removes a finally task', () => {
      const { value } = edit({ kind: 'removeTask', name: 'notify' });
      expect(value.spec.finally).toEqual([]);
    });

    it('says when there is no such task', () => {
      expect(failure({ kind: 'removeTask', name: 'ghost' }).message).toBe(
        'There is no task "ghost" in this pipeline.',
      );
    });
  });

  describe('renameTask', () => {
    it('renames a task, its runAfter entries and $(tasks.<name>.…) references', () => {
      const { value, removed, added } = edit({
        kind: 'renameTask',
        from: 'clone',
        to: 'fetch',
      });
      expect(names(value)).toEqual(['fetch', 'test', 'build']);
      expect(value.spec.tasks![1].runAfter).toEqual(['fetch']);
      expect(value.spec.tasks![1].params![0].value).toBe(
        '$(tasks.fetch.results.commit)',
      );
      expect(value.spec.finally![0].params![0].value).toBe(
        '$(tasks.fetch.status)',
      );
      expect(removed).toHaveLength(4);
      expect(added).toEqual([
        '    - name: fetch',
        '      runAfter: [fetch]',
        '          value: $(tasks.fetch.results.commit)',
        '          value: $(tasks.fetch.status)',
      ]);
    });

    it('does not touch tasks whose names merely start the same', () => {
      const text = applyEdit(base, {
        kind: 'addTask',
        task: {
          name: 'clone-two',
          taskRef: { name: 'x' },
          params: [{ name: 'p', value: '$(tasks.clone-two.results.r)' }],
        },
        placement: { type: 'root' },
      });
      const { value } = edit(
        { kind: 'renameTask', from: 'clone', to: 'fetch' },
        text,
      );
      expect(value.spec.tasks![3].params![0].value).toBe(
        '$(tasks.clone-two.results.r)',
      );
    });

    it('refuses a name in use', () => {
      expect(
        failure({ kind: 'renameTask', from: 'clone', to: 'notify' }).message,
      ).toBe('A task named "notify" already exists; choose another name.');
    });

    it('is what setTaskField on the name does', () => {
      expect(
        edit({
          kind: 'setTaskField',
          task: 'clone',
          path: ['name'],
          value: 'fetch',
        }).next,
      ).toBe(
        applyEdit(base, { kind: 'renameTask', from: 'clone', to: 'fetch' }),
      );
    });
  });

  describe('connect and disconnect', () => {
    it('connects by adding to runAfter, in the style of the list', () => {
      const { value, removed, added } = edit({
        kind: 'connect',
        from: 'clone',
        to: 'build',
      });
      expect(value.spec.tasks![2].runAfter).toEqual(['test', 'clone']);
      expect(removed).toEqual([]);
      expect(added).toEqual(['        - clone']);
    });

    it('puts a new runAfter right after the name of the task', () => {
      const text = [
        'spec:',
        '  tasks:',
        '    - name: a',
        '      taskRef: {name: x}',
        '    - name: b',
        '      taskRef: {name: y}',
        '',
      ].join('\n');
      expect(edit({ kind: 'connect', from: 'a', to: 'b' }, text).next).toBe(
        text.replace(
          '    - name: b\n',
          '    - name: b\n      runAfter:\n        - a\n',
        ),
      );
    });

    it('does nothing when already connected', () => {
      expect(
        applyEdit(base, { kind: 'connect', from: 'clone', to: 'test' }),
      ).toBe(base);
    });

    it('refuses cycles, self-loops and finally tasks', () => {
      expect(
        failure({ kind: 'connect', from: 'build', to: 'clone' }).message,
      ).toBe(
        'Connecting "build" → "clone" would create a cycle: "build" already runs after "clone".',
      );
      expect(
        failure({ kind: 'connect', from: 'test', to: 'test' }).message,
      ).toBe('A task cannot run after itself ("test").');
      expect(
        failure({ kind: 'connect', from: 'clone', to: 'notify' }).message,
      ).toMatch(
        /"notify" is a finally task; finally tasks run after all other tasks/,
      );
      expect(
        failure({ kind: 'connect', from: 'notify', to: 'build' }).message,
      ).toMatch(/tasks cannot run after a finally task/);
    });

    it('disconnects a runAfter edge, dropping an empty runAfter', () => {
      const { value, removed, added } = edit({
        kind: 'disconnect',
        from: 'test',
        to: 'build',
      });
      expect(value.spec.tasks![2].runAfter).toBeUndefined();
      expect(removed).toEqual(['      runAfter:', '        - test']);
      expect(added).toEqual([]);
    });

    it('refuses to disconnect an edge that comes from a result reference', () => {
      expect(
        failure({ kind: 'disconnect', from: 'clone', to: 'test' }).message,
      ).toBe(
        '"test" uses results of "clone" ($(tasks.clone.results.…)), which makes it run after "clone"; remove those references from "test" to disconnect them.',
      );
    });

    it('says when tasks are not connected', () => {
      expect(
        failure({ kind: 'disconnect', from: 'clone', to: 'build' }).message,
      ).toBe('"build" does not run after "clone".');
    });
  });

  describe('setTaskField', () => {
    it('sets, replaces and deletes fields of a task', () => {
      const set = edit({
        kind: 'setTaskField',
        task: 'build',
        path: ['retries'],
        value: 2,
      });
      expect(set.value.spec.tasks![2].retries).toBe(2);
      expect(set.added).toEqual(['      retries: 2']);
      const script = edit({
        kind: 'setTaskField',
        task: 'test',
        path: ['taskSpec', 'steps', 0, 'script'],
        value: 'echo test\necho more\n',
      });
      expect(script.removed).toEqual([]);
      expect(script.added).toEqual(['              echo more']);
      const deleted = edit({
        kind: 'setTaskField',
        task: 'test',
        path: ['params'],
        value: undefined,
      });
      expect(deleted.value.spec.tasks![1].params).toBeUndefined();
      expect(deleted.removed).toHaveLength(3);
    });

    it('creates missing maps and lists on the way', () => {
      const { value } = edit({
        kind: 'setTaskField',
        task: 'build',
        path: ['workspaces', 0],
        value: { name: 'source', workspace: 'ws' },
      });
      expect(value.spec.tasks![2].workspaces).toEqual([
        { name: 'source', workspace: 'ws' },
      ]);
    });

    it('replaces a whole task of the same name', () => {
      const { value } = edit({
        kind: 'setTaskField',
        task: 'build',
        path: [],
        value: { name: 'build', taskRef: { name: 'buildah' } },
      });
      expect(value.spec.tasks![2]).toEqual({
        name: 'build',
        taskRef: { name: 'buildah' },
      });
      expect(
        failure({
          kind: 'setTaskField',
          task: 'build',
          path: [],
          value: { name: 'other' },
        }).message,
      ).toMatch(/use renameTask/);
    });

    it('says when there is no such task', () => {
      expect(
        failure({
          kind: 'setTaskField',
          task: 'ghost',
          path: ['retries'],
          value: 1,
        }).message,
      ).toBe('There is no task "ghost" in this pipeline.');
    });
  });

  describe('setPipelineField', () => {
    it('sets a pipeline field, keeping the rest of the text', () => {
      const { removed, added } = edit({
        kind: 'setPipelineField',
        path: ['spec', 'params', 0, 'default'],
        value: 'develop',
      });
      expect(removed).toEqual(['      default: "main"']);
      expect(added).toEqual(['      default: "develop"']);
    });

    it('adds and deletes whole sections', () => {
      const added = edit({
        kind: 'setPipelineField',
        path: ['spec', 'workspaces'],
        value: [{ name: 'source' }],
      });
      expect(added.value.spec.workspaces).toEqual([{ name: 'source' }]);
      expect(added.added).toEqual(['  workspaces:', '    - name: source']);
      const deleted = edit({
        kind: 'setPipelineField',
        path: ['spec', 'params'],
        value: undefined,
      });
      expect(deleted.value.spec.params).toBeUndefined();
      expect(deleted.removed).toEqual([
        '  params:',
        '    - name: revision',
        '      default: "main"',
      ]);
    });

    it('refuses paths into object prototypes', () => {
      expect(
        failure({
          kind: 'setPipelineField',
          path: ['__proto__', 'polluted'],
          value: true,
        }).message,
      ).toBe('The path ["__proto__","polluted"] names no Pipeline field.');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('needs a path', () => {
      expect(
        failure({ kind: 'setPipelineField', path: [], value: {} }).message,
      ).toMatch(/needs a path/);
    });
  });

  it('refuses text with syntax errors, saying to fix them', () => {
    expect(
      failure({ kind: 'removeTask', name: 'build' }, 'spec: [tasks').message,
    ).toMatch(/^The YAML has errors; fix them first: /);
    expect(
      failure({ kind: 'removeTask', name: 'build' }, '- a\n- b\n').message,
    ).toMatch(/not a Pipeline/);
  });
});

describe('building a pipeline edit by edit', () => {
  it('gives two parallel tasks, one after both, one of them inline', () => {
    const steps = [
      (t: string) =>
        applyEdit(t, {
          kind: 'addTask',
          task: { name: 'lint', taskRef: { name: 'golangci-lint' } },
          placement: { type: 'root' },
        }),
      (t: string) =>
        applyEdit(t, {
          kind: 'addTask',
          task: {
            name: 'unit-test',
            taskSpec: {
              steps: [{ name: 'print', image: 'alpine', script: 'echo test' }],
            },
          },
          placement: { type: 'parallel', of: 'lint' },
        }),
      (t: string) =>
        applyEdit(t, {
          kind: 'addTask',
          task: { name: 'build', taskRef: { name: 'kaniko' } },
          placement: { type: 'after', of: 'lint' },
        }),
      (t: string) =>
        applyEdit(t, { kind: 'connect', from: 'unit-test', to: 'build' }),
    ];
    const text = steps.reduce((t, step) => step(t), newPipelineYaml('ci'));
    expect(text).toBe(
      [
        'apiVersion: tekton.dev/v1',
        'kind: Pipeline',
        'metadata:',
        '  name: ci',
        'spec:',
        '  tasks:',
        '    - name: lint',
        '      taskRef:',
        '        name: golangci-lint',
        '    - name: build',
        '      runAfter:',
        '        - lint',
        '        - unit-test',
        '      taskRef:',
        '        name: kaniko',
        '    - name: unit-test',
        '      taskSpec:',
        '        steps:',
        '          - name: print',
        '            image: alpine',
        '            script: |-',
        '              echo test',
        '',
      ].join('\n'),
    );
    expect(parsePipelineYaml(text).problems).toEqual([]);
  });
});

describe('toEditablePipeline', () => {
  it('drops status and server-owned metadata, keeping labels and annotations', () => {
    const pipeline = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline' as const,
      metadata: {
        name: 'p',
        namespace: 'ns',
        uid: 'u',
        resourceVersion: '12',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl' }],
        selfLink: '/x',
        labels: { a: 'b' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
      spec: { tasks: [] },
      status: { something: true },
    };
    expect(toEditablePipeline(pipeline)).toEqual({
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: {
        name: 'p',
        namespace: 'ns',
        labels: { a: 'b' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
      spec: { tasks: [] },
    });
    expect(pipeline.metadata.uid).toBe('u');
  });
});

describe('pipelineToYaml', () => {
  it('writes apiVersion, kind, metadata and spec first, as kubectl does', () => {
    const yaml = pipelineToYaml({
      spec: { tasks: [] },
      metadata: { name: 'p' },
      kind: 'Pipeline',
      apiVersion: 'tekton.dev/v1',
    } as Pipeline);
    expect(yaml.split('\n').filter(line => /^\S/.test(line))).toEqual([
      'apiVersion: tekton.dev/v1',
      'kind: Pipeline',
      'metadata:',
      'spec:',
    ]);
  });

  it('writes YAML that parses back to the same object, whatever the strings', () => {
    const tricky = [
      'yes',
      'no',
      'on',
      'off',
      'y',
      'n',
      'true',
      'null',
      '~',
      '',
      ' ',
      '0777',
      '0o17',
      '0x1F',
      '1.10',
      '1e3',
      '.5',
      '12345678901234567890',
      '2024-01-02',
      '12:30',
      'a: b',
      '- item',
      '#comment',
      '@at',
      '`tick',
      '"double"',
      "'single'",
      '{flow}',
      '[list]',
      '*alias',
      '&anchor',
      '!tag',
      '%directive',
      '|',
      '>',
      '? key',
      'trailing ',
      ' leading',
      'tab\there',
      'multi\nline',
      'multi\nline\n',
      'trailing spaces   \nand\ttabs\t\n',
      '\n\nleading newlines',
      'keep\n\n\n',
      '$(params.x)',
      '$(tasks.a.results.b[*])',
      'Ünïcödé — ✓ 日本語 🚀',
      'a'.repeat(300),
      'line \\ backslash',
      '\u0007bell',
    ];
    const pipeline: Pipeline = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: {
        name: 'tricky',
        labels: Object.fromEntries(
          tricky.map((s, i) => [`example.com/k${i}`, s]),
        ),
        annotations: Object.fromEntries(
          [
            '',
            '<<',
            '?',
            '-',
            'a: b',
            '#',
            'yes',
            'n',
            '1',
            'null',
            '~',
            ' k',
            'k ',
            'a\nb',
            '[x]',
            '*a',
            '&b',
            '!t',
            '%p',
            '@x',
            'a.b/c.d',
            'ü',
          ].map((key, i) => [key, String(i)]),
        ),
      },
      spec: {
        params: tricky.map((s, i) => ({ name: `p${i}`, default: s })),
        tasks: [
          {
            name: 'script',
            retries: 12345678,
            matrix: {
              params: [{ name: 'n', value: ['0', '-1', '1e21'] }],
              numbers: [0, -1, 1e21, 0.1, 1.5e-10, 123456789012345],
              flags: [true, false, null],
              empty: [{}, [], [[{}]]],
            },
            taskSpec: {
              steps: tricky.map((script, i) => ({
                name: `s${i}`,
                image: 'busybox',
                script,
              })),
            },
          },
        ],
      },
    };
    const yaml = pipelineToYaml(pipeline);
    expect(parse(yaml)).toEqual(pipeline);
    // Read as YAML 1.1 (as kubectl and Go's yaml.v2 do), it is the same too.
    expect(parse(yaml, { version: '1.1' })).toEqual(pipeline);
    expect(yaml).toContain(`- name: p0\n      default: "yes"\n`);
    expect(yaml).toContain(`"${'a'.repeat(300)}"`.slice(1, -1));
  });

  it('leaves out status and server-owned metadata', () => {
    const yaml = pipelineToYaml({
      metadata: { name: 'p', uid: 'x', resourceVersion: '1' },
      spec: { tasks: [] },
      status: {},
    });
    expect(yaml).toBe('metadata:\n  name: p\nspec:\n  tasks: []\n');
  });
});

describe('newPipelineYaml', () => {
  it('is an empty Tekton v1 Pipeline with the given labels', () => {
    expect(
      newPipelineYaml('my-pipeline', {
        labels: { 'backstage.io/kubernetes-id': 'my-service' },
      }),
    ).toBe(
      [
        'apiVersion: tekton.dev/v1',
        'kind: Pipeline',
        'metadata:',
        '  name: my-pipeline',
        '  labels:',
        '    backstage.io/kubernetes-id: my-service',
        'spec:',
        '  tasks: []',
        '',
      ].join('\n'),
    );
    expect(parsePipelineYaml(newPipelineYaml('x'))).toEqual({
      pipeline: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Pipeline',
        metadata: { name: 'x' },
        spec: { tasks: [] },
      },
      problems: [],
    });
  });
});

describe('parsePipelineYaml', () => {
  it('reports syntax errors with their line and column', () => {
    const { pipeline, problems } = parsePipelineYaml(
      'apiVersion: tekton.dev/v1\nkind: Pipeline\nspec:\n  tasks: [a\n',
    );
    expect(pipeline).toBeUndefined();
    expect(problems[0]).toEqual({
      severity: 'error',
      path: '',
      line: 5,
      column: 1,
      message:
        'Flow sequence in block collection must be sufficiently indented and end with a ] at line 5, column 1',
    });
  });

  it('reports an alias without its anchor', () => {
    expect(parsePipelineYaml('a: *nowhere\n')).toEqual({
      problems: [
        {
          severity: 'error',
          path: '',
          message:
            'Unresolved alias (the anchor must be set before the alias): nowhere',
        },
      ],
    });
    expect(
      failure({ kind: 'removeTask', name: 'x' }, 'a: *nowhere\n').message,
    ).toMatch(/^The YAML cannot be read \(Unresolved alias/);
  });

  it('reports duplicate keys', () => {
    const { problems } = parsePipelineYaml('a: 1\na: 2\n');
    expect(problems[0]).toMatchObject({ line: 2, column: 1 });
    expect(problems[0].message).toMatch(/unique/);
  });

  it('reports what is not a Tekton v1 Pipeline', () => {
    expect(parsePipelineYaml('- a\n').problems[0].message).toMatch(
      /expected a Tekton Pipeline/,
    );
    const { pipeline, problems } = parsePipelineYaml(
      'apiVersion: tekton.dev/v1beta1\nkind: Task\nmetadata: x\nspec:\n  tasks: {}\n',
    );
    expect(pipeline).toBeUndefined();
    expect(problems.map(p => [p.path, p.message])).toEqual([
      [
        'apiVersion',
        'apiVersion must be "tekton.dev/v1", not "tekton.dev/v1beta1"; the builder edits Tekton v1 Pipelines only',
      ],
      ['kind', 'kind must be "Pipeline", not "Task"'],
      ['metadata', 'metadata must be a mapping with at least a name'],
      ['spec.tasks', 'spec.tasks must be a list of pipeline tasks'],
    ]);
  });
});

describe('a chain of 6,000 tasks', () => {
  const count = 6000;
  const text = newPipelineYaml('long').replace(
    'tasks: []',
    `tasks:\n${Array.from(
      { length: count },
      (_, i) =>
        `    - name: t${i}\n${
          i ? `      runAfter: [t${i - 1}]\n` : ''
        }      taskRef:\n        name: echo\n`,
    ).join('')}`,
  );

  it('refuses the edge that would close a cycle through all of them', () => {
    expect(
      failure({ kind: 'connect', from: `t${count - 1}`, to: 't0' }, text)
        .message,
    ).toContain('would create a cycle');
  });

  it('renames a task in the middle, touching only its lines', () => {
    const next = applyEdit(text, {
      kind: 'renameTask',
      from: 't3000',
      to: 'middle',
    });
    const block = (name: string) => [
      `    - name: ${name}`,
      '      runAfter: [t2999]',
      '      taskRef:',
      '        name: echo',
      '    - name: t3001',
      `      runAfter: [${name}]`,
    ];
    expect(changedBlock(text, next)).toEqual({
      removed: block('t3000'),
      added: block('middle'),
    });
  });
});
