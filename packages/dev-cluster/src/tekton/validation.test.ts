import {
  invalidResultReference,
  validatePipeline,
  validatePipelineRun,
  validateTask,
  validateTaskSpec,
} from './validation';
import type { PipelineTask } from './types';

const step = { name: 's', image: 'alpine', script: 'true' };
const task = (
  name: string,
  extra: Partial<PipelineTask> = {},
): PipelineTask => ({
  name,
  taskSpec: { steps: [step] },
  ...extra,
});

describe('validatePipeline', () => {
  it('accepts a valid pipeline', () => {
    expect(
      validatePipeline({
        spec: {
          workspaces: [{ name: 'src' }],
          tasks: [
            task('a', { workspaces: [{ name: 'src', workspace: 'src' }] }),
            task('b', {
              params: [{ name: 'p', value: '$(tasks.a.results.r)' }],
            }),
          ],
          finally: [
            task('f', { params: [{ name: 's', value: '$(tasks.status)' }] }),
          ],
          results: [{ name: 'r', value: '$(tasks.a.results.r)' }],
        },
      }),
    ).toEqual([]);
  });

  it("accepts an inline taskSpec using the pipeline's params and workspaces (Tekton propagates them)", () => {
    expect(
      validatePipeline({
        spec: {
          params: [{ name: 'revision' }],
          workspaces: [{ name: 'src' }],
          tasks: [
            {
              name: 'a',
              workspaces: [{ name: 'src', workspace: 'src' }],
              taskSpec: {
                steps: [
                  {
                    name: 's',
                    image: 'alpine',
                    script:
                      'cd $(workspaces.src.path) && git checkout $(params.revision)',
                  },
                ],
              },
            },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('reports a cycle', () => {
    expect(
      validatePipeline({
        spec: {
          tasks: [
            task('a', { runAfter: ['b'] }),
            task('b', { runAfter: ['a'] }),
          ],
        },
      }),
    ).toEqual([
      'invalid value: cycle detected; task "a" depends on "b": spec.tasks',
    ]);
  });

  it('reports taskRef and taskSpec together, or neither', () => {
    expect(
      validatePipeline({
        spec: { tasks: [task('a', { taskRef: { name: 't' } }), { name: 'b' }] },
      }),
    ).toEqual([
      'expected exactly one, got both: spec.tasks[0].taskRef, spec.tasks[0].taskSpec',
      'expected exactly one, got neither: spec.tasks[1].taskRef, spec.tasks[1].taskSpec',
    ]);
  });

  it('reports unknown tasks, duplicate names and bad names', () => {
    expect(
      validatePipeline({ spec: { tasks: [task('a', { runAfter: ['x'] })] } }),
    ).toEqual([
      "invalid value: task a depends on x but x wasn't present in Pipeline: spec.tasks",
    ]);
    const problems = validatePipeline({
      spec: { tasks: [task('a'), task('a'), task('Bad_Name')] },
    });
    expect(problems).toContain(
      'expected exactly one, got both: spec.tasks[1].name',
    );
    expect(problems).toContain(
      'invalid value: task a is already present in Graph: spec.tasks',
    );
    expect(
      problems.some(p =>
        p.startsWith(
          'invalid value: "Bad_Name": spec.tasks[2].name\na lowercase RFC 1123 label',
        ),
      ),
    ).toBe(true);
  });

  it('reports finally rules', () => {
    expect(
      validatePipeline({
        spec: {
          tasks: [task('a')],
          finally: [
            task('f', { runAfter: ['a'] }),
            task('g', {
              params: [{ name: 'p', value: '$(tasks.f.results.r)' }],
            }),
          ],
        },
      }),
    ).toEqual([
      'invalid value: invalid task result reference, final task has task result reference from a final task f: spec.finally[1].params',
      'invalid value: no runAfter allowed under spec.finally, final task f has runAfter specified: spec.finally[0]',
    ]);
    expect(validatePipeline({ spec: { finally: [task('f')] } })).toEqual([
      'expected at least one, got none: spec.tasks',
    ]);
  });

  it('reports execution status outside finally, bad when operators and onError with retries', () => {
    expect(
      validatePipeline({
        spec: {
          tasks: [
            task('a', { params: [{ name: 'p', value: '$(tasks.status)' }] }),
            task('b', {
              when: [{ input: 'x', operator: 'is' as any, values: ['x'] }],
            }),
            task('c', { onError: 'continue', retries: 1 }),
          ],
        },
      }),
    ).toEqual([
      'PipelineTask OnError cannot be set to continue when Retries is greater than 0: spec.tasks[2]',
      'invalid value: operator "is" is not recognized. valid operators: in,notin: spec.tasks[1].when[0]',
      'invalid value: pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks: spec.tasks[0]',
    ]);
  });

  it('reports undeclared workspaces and results of unknown tasks', () => {
    expect(
      validatePipeline({
        spec: {
          tasks: [
            task('a', { workspaces: [{ name: 'w', workspace: 'nope' }] }),
          ],
          results: [{ name: 'r', value: '$(tasks.z.results.r)' }],
        },
      }),
    ).toEqual([
      'invalid value: pipeline task "a" expects workspace with name "nope" but none exists in pipeline spec: spec.tasks[0].workspaces[0]',
      'invalid value: referencing a nonexistent task: spec.results[0].value',
    ]);
  });
});

describe('validateTask', () => {
  it('reports step problems', () => {
    expect(
      validateTask({
        spec: {
          params: [{ name: 'p' }],
          results: [{ name: 'r' }],
          steps: [
            { name: 'a', script: 'echo $(params.q) > $(results.x.path)' },
            { name: 'b', image: 'alpine', script: 'x', command: ['sh'] },
            { name: 'b', image: 'alpine', onError: 'maybe' as any },
          ],
        },
      }),
    ).toEqual([
      'invalid value: b: spec.steps[2].name',
      'invalid value: maybe: spec.steps[2].onError\nTask step onError must be either "continue" or "stopAndFail"',
      'missing field(s): spec.steps[0].image',
      'non-existent variable in "$(params.q)": spec.steps[0]',
      'non-existent variable in "$(results.x.path)": spec.steps[0]',
      'script cannot be used with command: spec.steps[1].script',
    ]);
  });

  it('leaves an onError given by a param to run time', () => {
    expect(
      validateTask({
        spec: {
          params: [{ name: 'on-error' }],
          steps: [
            {
              name: 'a',
              image: 'alpine',
              script: 'true',
              onError: '$(params.on-error)',
            },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('takes the image from the stepTemplate', () => {
    expect(
      validateTask({
        spec: {
          stepTemplate: { image: 'alpine' },
          steps: [{ name: 'a', script: 'true' }],
        },
      }),
    ).toEqual([]);
  });
});

describe('validateTaskSpec', () => {
  it("leaves params and workspaces an inline spec does not declare to its run's propagation", () => {
    const spec = {
      steps: [
        {
          name: 'a',
          image: 'alpine',
          script: 'ls $(workspaces.shared.path) $(params.message)',
        },
      ],
    };
    expect(validateTaskSpec(spec)).toEqual([]);
    expect(validateTask({ spec })).toEqual([
      'non-existent variable in "$(params.message)": spec.steps[0]',
    ]);
  });
});

describe('validatePipelineRun', () => {
  it('accepts an inline pipeline binding undeclared workspaces and taking results from finally tasks', () => {
    expect(
      validatePipelineRun({
        spec: {
          pipelineSpec: {
            results: [{ name: 'r', value: '$(finally.last.results.r)' }],
            tasks: [task('a', { workspaces: [{ name: 'shared' }] })],
            finally: [task('last')],
          },
        },
      }),
    ).toEqual([]);
  });

  it('reports pipelineRef with pipelineSpec, bad spec.status and timeouts', () => {
    expect(
      validatePipelineRun({
        spec: {
          pipelineRef: { name: 'p' },
          pipelineSpec: { tasks: [task('a')] },
          status: 'Stop' as any,
          timeouts: { pipeline: '1m', tasks: '2m' },
        },
      }),
    ).toEqual([
      'expected exactly one, got both: spec.pipelineRef, spec.pipelineSpec',
      'invalid value: 2m should be <= pipeline duration: spec.timeouts.tasks',
      'invalid value: Stop: spec.status',
    ]);
  });

  it('validates an embedded pipeline spec', () => {
    expect(
      validatePipelineRun({
        spec: { pipelineSpec: { tasks: [task('a', { runAfter: ['a'] })] } },
      }),
    ).toEqual([
      'invalid value: cycle detected; task "a" depends on "a": spec.pipelineSpec.tasks',
    ]);
  });
});

describe('invalidResultReference', () => {
  const spec = {
    tasks: [
      task('a'),
      task('b', { params: [{ name: 'p', value: '$(tasks.a.results.out)' }] }),
    ],
  };

  it('accepts declared results and tasks it cannot check', () => {
    expect(
      invalidResultReference(spec, new Map([['a', ['out']]])),
    ).toBeUndefined();
    expect(invalidResultReference(spec, new Map())).toBeUndefined();
  });

  it('names an undeclared result', () => {
    expect(invalidResultReference(spec, new Map([['a', ['other']]]))).toBe(
      'invalid result reference in pipeline task "b": "out" is not a named result returned by pipeline task "a"',
    );
  });
});
