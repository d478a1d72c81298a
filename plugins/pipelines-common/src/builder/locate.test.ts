import { locateProblems } from './locate';

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
