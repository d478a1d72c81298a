import { locateCompletionScope, locateProblems } from './locate';

const text = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: Bad_Name
spec:
  tasks:
    - name: a
      taskSpec:
        steps:
          - script: echo
`;

describe('locateProblems', () => {
  it('gives problems the position of the field their path names', () => {
    const located = locateProblems(text, [
      { severity: 'error', path: 'metadata.name', message: 'm' },
      {
        severity: 'error',
        path: 'spec.tasks[0].taskSpec.steps[0]',
        message: 's',
      },
      // `image` is missing: the nearest existing field is the step.
      {
        severity: 'error',
        path: 'spec.tasks[0].taskSpec.steps[0].image',
        message: 'i',
      },
      { severity: 'error', path: '', message: 'whole document' },
    ]);
    expect(located.map(p => [p.line, p.column])).toEqual([
      [4, 3],
      [10, 13],
      [10, 13],
      [1, 1],
    ]);
  });

  it('keeps positions that problems already have, and text it cannot parse', () => {
    const syntax = {
      severity: 'error' as const,
      path: '',
      message: 'x',
      line: 9,
      column: 2,
    };
    expect(locateProblems(text, [syntax])).toEqual([syntax]);
    const problem = { severity: 'error' as const, path: 'spec', message: 'x' };
    expect(locateProblems('a: [', [problem])).toEqual([problem]);
  });
});

describe('locateCompletionScope', () => {
  const pipeline = `spec:
  params:
    - name: revision
  tasks:
    - name: build
      params:
        - name: commit
          value: $(tasks.
      taskSpec:
        steps:
          - name: run
            image: $(params.
  finally:
    - name: report
      params:
        - name: status
          value: $(`;
  const after = (marker: string, nth = 0) => {
    let at = -1;
    for (let i = 0; i <= nth; i++) at = pipeline.indexOf(marker, at + 1);
    return at + marker.length;
  };

  it('finds the task, and whether in its taskSpec, of the place at the caret', () => {
    expect(locateCompletionScope(pipeline, after('$(tasks.'))).toEqual({
      task: 'build',
      taskSpec: false,
    });
    expect(locateCompletionScope(pipeline, after('$(params.'))).toEqual({
      task: 'build',
      taskSpec: true,
    });
    // At the very end of the text, in the last finally task.
    expect(locateCompletionScope(pipeline, pipeline.length)).toEqual({
      task: 'report',
      taskSpec: false,
    });
  });

  it('is pipeline-wide outside the tasks', () => {
    expect(locateCompletionScope(pipeline, after('- name: revision'))).toEqual(
      {},
    );
    expect(locateCompletionScope(pipeline, 0)).toEqual({});
    expect(locateCompletionScope('spec: [', 6)).toEqual({});
  });

  it('gives a task without a name yet no name, and still finds tasks when the text has errors', () => {
    const unnamed = 'spec:\n  tasks:\n    - taskSpec:\n        steps: []\n';
    expect(locateCompletionScope(unnamed, unnamed.indexOf('steps'))).toEqual({
      task: undefined,
      taskSpec: true,
    });
    const broken = `${pipeline}\n  bad: [\n`;
    expect(locateCompletionScope(broken, after('$(tasks.'))).toEqual({
      task: 'build',
      taskSpec: false,
    });
  });
});
