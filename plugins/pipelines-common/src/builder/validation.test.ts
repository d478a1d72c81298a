import { Pipeline, PipelineSpec, PipelineTask, Task } from '../types';
import { PipelineValidationContext, validatePipeline } from './validation';

const ref = (
  name: string,
  extra: Partial<PipelineTask> = {},
): PipelineTask => ({
  name,
  taskRef: { name: 'echo' },
  ...extra,
});

function pipeline(spec: PipelineSpec, name = 'demo'): Pipeline {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: { name },
    spec,
  };
}

function problems(spec: PipelineSpec, context?: PipelineValidationContext) {
  return validatePipeline(pipeline(spec), context);
}

const task = (name: string, spec: Task['spec']): Task => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'Task',
  metadata: { name },
  spec,
});

describe('validatePipeline', () => {
  it('accepts a valid pipeline', () => {
    expect(
      problems({
        params: [{ name: 'revision', default: 'main' }],
        workspaces: [{ name: 'source' }],
        tasks: [
          ref('clone', {
            params: [{ name: 'revision', value: '$(params.revision)' }],
            workspaces: [{ name: 'output', workspace: 'source' }],
          }),
          {
            name: 'test',
            runAfter: ['clone'],
            taskSpec: {
              steps: [{ name: 'run', image: 'alpine', script: 'echo test' }],
            },
          },
        ],
        finally: [
          ref('notify', { params: [{ name: 's', value: '$(tasks.status)' }] }),
        ],
      }),
    ).toEqual([]);
  });

  describe('metadata.name', () => {
    it('is required', () => {
      expect(
        validatePipeline({ metadata: {}, spec: { tasks: [ref('a')] } }),
      ).toEqual([
        {
          severity: 'error',
          path: 'metadata.name',
          message: 'missing field(s); give the pipeline a name',
        },
      ]);
    });

    it('is a DNS-1123 subdomain of at most 63 characters', () => {
      const messages = (name: string) =>
        validatePipeline(pipeline({ tasks: [ref('a')] }, name)).map(
          p => p.message,
        );
      expect(messages('Bad_Name')).toEqual([
        expect.stringMatching(
          /^invalid resource name "Bad_Name": must be a valid DNS label; a lowercase RFC 1123 subdomain must consist of/,
        ),
      ]);
      expect(messages('with.dots')).toEqual([]);
      expect(messages('a'.repeat(64))).toEqual([
        'Invalid resource name: length must be no more than 63 characters',
      ]);
    });
  });

  describe('pipeline tasks', () => {
    it('need at least one task', () => {
      expect(problems({ tasks: [] })).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks',
          message: 'expected at least one, got none; add a task to spec.tasks',
        },
      ]);
    });

    it('have DNS-1123 label names', () => {
      expect(problems({ tasks: [ref('Build_It')] })).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[0].name',
          task: 'Build_It',
          message:
            'invalid value "Build_It": Pipeline Task name must be a valid DNS Label; use lower case letters, digits and \'-\', starting and ending with a letter or digit (at most 63 characters)',
        },
      ]);
    });

    it('have unique names across tasks and finally', () => {
      expect(
        problems({ tasks: [ref('a'), ref('b')], finally: [ref('a')] }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.finally[0].name',
          task: 'a',
          message:
            'task a is already present in Graph, can\'t add it again: duplicate pipeline task; rename one of the tasks named "a"',
        },
      ]);
    });

    it('reference a Task or embed one, not both, not neither', () => {
      expect(
        problems({
          tasks: [
            {
              name: 'both',
              taskRef: { name: 'x' },
              taskSpec: { steps: [{ image: 'a' }] },
            },
            { name: 'neither' },
          ],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[0].taskSpec',
          task: 'both',
          message:
            'expected exactly one, got multiple: taskRef, taskSpec; keep either the reference to a Task or the inline taskSpec',
        },
        {
          severity: 'error',
          path: 'spec.tasks[1].taskRef',
          task: 'neither',
          message:
            'expected exactly one, got neither: taskRef, taskSpec; pick a Task or write an inline taskSpec',
        },
      ]);
    });

    it('may run a child pipeline only with alpha features', () => {
      expect(
        problems({
          tasks: [{ name: 'child', pipelineRef: { name: 'other' } }],
        }).map(p => [p.severity, p.path, p.message]),
      ).toEqual([
        [
          'warning',
          'spec.tasks[0].pipelineRef',
          'pipelineRef is an alpha feature of Tekton (enable-api-fields: "alpha"); clusters with the default "beta" or "stable" reject it',
        ],
      ]);
    });

    it('name the referenced Task or a resolver', () => {
      expect(
        problems({
          tasks: [
            { name: 'a', taskRef: {} },
            { name: 'b', taskRef: { name: 'x', resolver: 'git' } },
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].taskRef.name',
          'missing field(s); name the Task to run, or set a resolver',
        ],
        [
          'spec.tasks[1].taskRef',
          'expected exactly one, got both: name, resolver; a resolver reference names its Task in its params',
        ],
      ]);
    });

    it('check onError, retries and timeout', () => {
      expect(
        problems({
          tasks: [
            ref('a', { onError: 'continue', retries: 2 }),
            ref('b', { onError: 'ignore' as any, timeout: '10 minutes' }),
            ref('c', { retries: -1, timeout: '1h30m' }),
            // Checked by Tekton only once the run replaces the reference.
            ref('d', { onError: '$(params.on-error)' as any }),
          ],
          params: [{ name: 'on-error', default: 'continue' }],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].onError',
          'PipelineTask OnError cannot be set to "continue" when Retries is greater than 0; remove retries or onError',
        ],
        [
          'spec.tasks[1].onError',
          'invalid value: ignore; PipelineTask OnError must be either "continue" or "stopAndFail"',
        ],
        [
          'spec.tasks[1].timeout',
          'invalid value: 10 minutes; use a duration like "30m", "1h30m" or "0" for no timeout',
        ],
        [
          'spec.tasks[2].retries',
          'invalid value: -1; retries must be a whole number, 0 or more',
        ],
      ]);
    });
  });

  describe('the DAG', () => {
    it('reports cycles on the first task of the cycle', () => {
      expect(
        problems({
          tasks: [ref('a', { runAfter: ['b'] }), ref('b', { runAfter: ['a'] })],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[0].runAfter',
          task: 'a',
          message:
            'invalid value: cycle detected; task "a" depends on "b"; remove one of the runAfter entries or result references that form the cycle',
        },
      ]);
    });

    it('reports runAfter naming an unknown task or a finally task', () => {
      expect(
        problems({
          tasks: [ref('a', { runAfter: ['ghost', 'cleanup'] })],
          finally: [ref('cleanup')],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].runAfter[0]',
          'invalid value: couldn\'t add link between a and ghost: task a depends on ghost but ghost wasn\'t present in Pipeline; add a task named "ghost" or stop referring to it',
        ],
        [
          'spec.tasks[0].runAfter[1]',
          'invalid value: couldn\'t add link between a and cleanup: task a depends on cleanup but cleanup wasn\'t present in Pipeline; "cleanup" is a finally task, and tasks cannot run after finally tasks or use their results',
        ],
      ]);
    });

    it('reports result references to unknown or finally tasks', () => {
      expect(
        problems({
          tasks: [
            ref('a', {
              params: [{ name: 'p', value: '$(tasks.ghost.results.r)' }],
            }),
            ref('b', {
              when: [
                {
                  input: '$(tasks.cleanup.results.r)',
                  operator: 'in',
                  values: ['x'],
                },
              ],
            }),
          ],
          finally: [
            ref('cleanup'),
            ref('report', {
              params: [{ name: 'p', value: '$(tasks.cleanup.results.r)' }],
            }),
          ],
        }).map(p => [p.path, p.task, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].params[0].value',
          'a',
          'invalid value: couldn\'t add link between a and ghost: task a depends on ghost but ghost wasn\'t present in Pipeline; add a task named "ghost" or stop referring to it',
        ],
        [
          'spec.tasks[1].when[0].input',
          'b',
          'invalid value: couldn\'t add link between b and cleanup: task b depends on cleanup but cleanup wasn\'t present in Pipeline; "cleanup" is a finally task, and tasks cannot run after finally tasks or use their results',
        ],
        [
          'spec.finally[1].params[0].value',
          'report',
          'invalid task result reference, final task has task result reference from a final task cleanup; only results of tasks in spec.tasks can be used here',
        ],
      ]);
    });

    it('reports runAfter in finally', () => {
      expect(
        problems({
          tasks: [ref('a')],
          finally: [ref('f', { runAfter: ['a'] })],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.finally[0]',
          task: 'f',
          message:
            'invalid value: no runAfter allowed under spec.finally, final task f has runAfter specified; remove runAfter from it (finally tasks run after all other tasks)',
        },
      ]);
    });

    it('reports results that a task does not declare', () => {
      const producer = {
        name: 'producer',
        taskSpec: { results: [{ name: 'digest' }], steps: [{ image: 'a' }] },
      };
      expect(
        problems({
          tasks: [
            producer,
            ref('consumer', {
              params: [{ name: 'p', value: '$(tasks.producer.results.url)' }],
            }),
          ],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[1].params[0].value',
          task: 'consumer',
          message:
            'invalid result reference in pipeline task "consumer": "url" is not a named result returned by pipeline task "producer"; it returns "digest"',
        },
      ]);
    });

    it('reports pipeline results referring to nonexistent tasks', () => {
      expect(
        problems({
          tasks: [ref('a')],
          results: [{ name: 'r', value: '$(tasks.ghost.results.x)' }],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.results[0].value',
          message:
            'invalid value: referencing a nonexistent task; there is no task "ghost" in this pipeline',
        },
      ]);
    });

    it('allows execution status only in finally', () => {
      expect(
        problems({
          tasks: [
            ref('a'),
            ref('b', { params: [{ name: 's', value: '$(tasks.a.status)' }] }),
          ],
          finally: [
            ref('f', { params: [{ name: 's', value: '$(tasks.a.reason)' }] }),
          ],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[1].params[0].value',
          task: 'b',
          message:
            'invalid value: pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks; move "b" to finally to read $(tasks.a.status)',
        },
      ]);
    });
  });

  describe('inline taskSpec', () => {
    it('needs steps, each with an image unless stepTemplate has one', () => {
      expect(
        problems({
          tasks: [
            { name: 'empty', taskSpec: {} },
            { name: 'no-image', taskSpec: { steps: [{ script: 'echo' }] } },
            {
              name: 'template',
              taskSpec: {
                stepTemplate: { image: 'alpine' },
                steps: [{ script: 'echo' }],
              },
            },
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].taskSpec.steps',
          'missing field(s); add a step with an image and a script',
        ],
        [
          'spec.tasks[1].taskSpec.steps[0].image',
          'missing field(s); set the image the step runs in',
        ],
      ]);
    });

    it('does not allow script with command', () => {
      expect(
        problems({
          tasks: [
            {
              name: 'a',
              taskSpec: {
                steps: [{ image: 'a', command: ['sh'], script: 'echo' }],
              },
            },
          ],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[0].taskSpec.steps[0].script',
          task: 'a',
          message:
            'script cannot be used with command; remove command (the script runs with its shebang) or move the script into args',
        },
      ]);
    });

    it('checks step names and onError', () => {
      expect(
        problems({
          tasks: [
            {
              name: 'a',
              taskSpec: {
                steps: [
                  { name: 'Bad Name', image: 'a' },
                  { name: 'x', image: 'a' },
                  { name: 'x', image: 'a', onError: 'skip' as any },
                  {
                    name: 'y',
                    image: 'a',
                    onError: '$(params.on-error)' as any,
                  },
                ],
                params: [{ name: 'on-error', default: 'continue' }],
              },
            },
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].taskSpec.steps[0].name',
          expect.stringMatching(
            /^invalid value "Bad Name": Task step name must be a valid DNS Label; a lowercase RFC 1123 label/,
          ),
        ],
        [
          'spec.tasks[0].taskSpec.steps[2].name',
          'expected exactly one, got both: step name "x" is used twice; step names must be unique within a task',
        ],
        [
          'spec.tasks[0].taskSpec.steps[2].onError',
          'invalid value: "skip"; Task step onError must be either "continue" or "stopAndFail"',
        ],
      ]);
    });

    it('reports variables the task does not declare; pipeline params propagate', () => {
      expect(
        problems({
          params: [{ name: 'from-pipeline' }],
          tasks: [
            {
              name: 'a',
              params: [{ name: 'from-pipeline', value: 'x' }],
              taskSpec: {
                steps: [
                  {
                    image: 'a',
                    script:
                      'echo $(params.from-pipeline) $(params.nope) > $(results.out.path); ls $(workspaces.src.path) $(date)',
                  },
                ],
              },
            },
          ],
        }).map(p => [p.severity, p.path, p.message]),
      ).toEqual([
        [
          'error',
          'spec.tasks[0].taskSpec.steps[0].script',
          'non-existent variable in "$(params.nope)"; declare param "nope" in the task or the pipeline',
        ],
        [
          'error',
          'spec.tasks[0].taskSpec.steps[0].script',
          'non-existent variable in "$(results.out.path)"; declare result "out" in the task\'s results',
        ],
        // Tekton's webhook does not check workspace variables: not blocking.
        [
          'warning',
          'spec.tasks[0].taskSpec.steps[0].script',
          'non-existent variable in "$(workspaces.src.path)"; declare workspace "src" in the task\'s or the pipeline\'s workspaces',
        ],
      ]);
    });

    it("accepts what Tekton's webhook accepts: pipeline workspaces propagate, unchecked fields only warn", () => {
      expect(
        problems({
          workspaces: [{ name: 'shared' }],
          tasks: [
            {
              name: 'a',
              taskSpec: {
                steps: [
                  {
                    image: 'a',
                    args: ['$(workspaces.shared.path)'],
                    // StepAction params and results outside a script are
                    // not checked by Tekton.
                    params: [{ name: 'p', value: '$(params.from-run)' }],
                    env: [{ name: 'OUT', value: '$(results.out.path)' }],
                  },
                ],
              },
            },
          ],
        }).map(p => [p.severity, p.path]),
      ).toEqual([
        ['warning', 'spec.tasks[0].taskSpec.steps[0].params[0].value'],
        ['warning', 'spec.tasks[0].taskSpec.steps[0].env[0].value'],
      ]);
    });
  });

  describe('undeclared pipeline params', () => {
    it('block saving in task params, matrix params and when expressions', () => {
      expect(
        problems({
          tasks: [
            {
              name: 'a',
              taskRef: { name: 't' },
              params: [{ name: 'x', value: '$(params.one)' }],
              matrix: {
                params: [{ name: 'os', value: ['$(params.two)'] }],
                include: [
                  {
                    name: 'extra',
                    params: [{ name: 'y', value: '$(params.three)' }],
                  },
                ],
              },
              when: [
                { input: '$(params.four)', operator: 'in', values: ['yes'] },
              ],
            },
          ],
        }).map(p => [p.severity, p.path]),
      ).toEqual([
        ['error', 'spec.tasks[0].params[0].value'],
        ['error', 'spec.tasks[0].matrix.params[0].value[0]'],
        ['error', 'spec.tasks[0].matrix.include[0].params[0].value'],
        ['error', 'spec.tasks[0].when[0].input'],
      ]);
    });

    it("may name the matrix's own params in a display name and include names; elsewhere only warn", () => {
      expect(
        problems({
          tasks: [
            {
              name: 'a',
              displayName: 'build on $(params.os) ($(params.unknown))',
              taskRef: { name: 't' },
              matrix: {
                params: [{ name: 'os', value: ['linux', 'mac'] }],
                include: [
                  {
                    name: 'arm on $(params.os)',
                    params: [{ name: 'arch', value: 'arm64' }],
                  },
                ],
              },
            },
          ],
        }).map(p => [p.severity, p.path, p.message]),
      ).toEqual([
        [
          'warning',
          'spec.tasks[0].displayName',
          'non-existent variable in "$(params.unknown)"; declare param "unknown" in the pipeline\'s params',
        ],
      ]);
    });
  });

  describe('unknown fields', () => {
    const unknown = (value: object) =>
      validatePipeline({ ...pipeline({ tasks: [ref('a')] }), ...value })
        .filter(p => p.message.startsWith('unknown field'))
        .map(p => [p.path, p.task, p.message.split(';')[0]]);

    it('are refused as Tekton decodes strictly, named by their path', () => {
      expect(
        unknown({
          metadata: { name: 'demo', lables: {} },
          spec: {
            bogus: true,
            tasks: [
              { ...ref('a'), runafter: [], retry: 1 },
              {
                name: 'b',
                taskSpec: {
                  steps: [{ image: 'alpine', scirpt: 'echo' }],
                  stepTemplate: { name: 'x' },
                },
              },
            ],
            finally: [{ ...ref('c'), taskRef: { name: 'echo', bundle: 'x' } }],
          },
        }),
      ).toEqual([
        ['metadata.lables', undefined, 'unknown field "metadata.lables"'],
        ['spec.bogus', undefined, 'unknown field "spec.bogus"'],
        ['spec.tasks[0].retry', 'a', 'unknown field "spec.tasks[0].retry"'],
        [
          'spec.tasks[1].taskSpec.steps[0].scirpt',
          'b',
          'unknown field "spec.tasks[1].taskSpec.steps[0].scirpt"',
        ],
        [
          'spec.tasks[1].taskSpec.stepTemplate.name',
          'b',
          'unknown field "spec.tasks[1].taskSpec.stepTemplate.name"',
        ],
        [
          'spec.finally[0].taskRef.bundle',
          'c',
          'unknown field "spec.finally[0].taskRef.bundle"',
        ],
      ]);
    });

    it("match in any case, as Go's JSON decoder does; Kubernetes' own types inside are not checked", () => {
      expect(
        unknown({
          spec: {
            tasks: [
              {
                name: 'a',
                taskSpec: {
                  steps: [
                    {
                      image: 'alpine',
                      workspaces: [{ name: 'w', mountpath: '/w' }],
                      env: [{ name: 'A', valueFrom: { anything: 1 } }],
                      securityContext: { whatever: true },
                    },
                  ],
                },
              },
            ],
          },
        }),
      ).toEqual([]);
    });
  });

  describe("a PipelineRun's pipelineSpec (embedded)", () => {
    const spec: PipelineSpec = {
      tasks: [
        {
          name: 'a',
          taskRef: { name: 't' },
          params: [{ name: 'x', value: '$(params.from-run)' }],
          workspaces: [{ name: 'src', workspace: 'run-workspace' }],
        },
        {
          name: 'b',
          taskSpec: {
            steps: [
              {
                image: 'alpine',
                script: 'cat $(workspaces.other.path)/$(params.file)',
              },
            ],
          },
        },
      ],
    };

    it("uses the run's params and workspaces without declaring them, as Tekton allows", () => {
      expect(problems(spec, { embedded: true })).toEqual([]);
    });

    it('as a Pipeline of its own must declare them', () => {
      expect(problems(spec).map(p => [p.severity, p.path])).toEqual([
        ['error', 'spec.tasks[0].params[0].value'],
        ['error', 'spec.tasks[0].workspaces[0].workspace'],
        ['warning', 'spec.tasks[1].taskSpec.steps[0].script'],
        ['error', 'spec.tasks[1].taskSpec.steps[0].script'],
      ]);
    });
  });

  describe('when expressions', () => {
    it('need a known operator and values, and should have an input', () => {
      expect(
        problems({
          tasks: [
            ref('a', {
              when: [
                { input: 'x', operator: 'equals' as any, values: ['y'] },
                { input: 'x', operator: 'in', values: [] },
                { operator: 'notin', values: ['y'] },
                { cel: "'a' == 'a'" },
                { cel: "'a' == 'a'", input: 'a' },
                {},
              ],
            }),
          ],
        }).map(p => [p.severity, p.path, p.message]),
      ).toEqual([
        [
          'error',
          'spec.tasks[0].when[0].operator',
          'invalid value: operator "equals" is not recognized. valid operators: in,notin',
        ],
        [
          'error',
          'spec.tasks[0].when[1].values',
          'invalid value: expecting non-empty values field; list the values the input is compared with',
        ],
        [
          'warning',
          'spec.tasks[0].when[2].input',
          'the input is empty, so the values are compared with ""; set the input to compare, e.g. "$(params.branch)"',
        ],
        [
          'error',
          'spec.tasks[0].when[4]',
          'cel and input+operator+values cannot be set in one WhenExpression; keep either the CEL expression or input, operator and values',
        ],
        [
          'error',
          'spec.tasks[0].when[5]',
          'missing field(s); set input, operator and values',
        ],
      ]);
    });
  });

  describe('params', () => {
    it('must be declared by the pipeline, with the keys of object params', () => {
      expect(
        problems({
          params: [
            {
              name: 'obj',
              type: 'object',
              properties: { a: { type: 'string' } },
            },
            { name: 'list', type: 'array' },
          ],
          tasks: [
            ref('a', {
              params: [
                { name: 'p', value: '$(params.missing)' },
                { name: 'q', value: '$(params.obj.a) $(params.obj.b)' },
                {
                  name: 'r',
                  value: ['$(params.list[*])', "$(params['list'][0])"],
                },
              ],
            }),
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].params[0].value',
          'non-existent variable in "$(params.missing)"; declare param "missing" in the pipeline\'s params',
        ],
        [
          'spec.tasks[0].params[1].value',
          'non-existent variable in "$(params.obj.b)"; object param "obj" has no key "b"',
        ],
      ]);
    });

    it('use variables with a known prefix and context', () => {
      expect(
        problems({
          tasks: [
            ref('a', {
              params: [
                { name: 'p', value: 'today is $(date)' },
                { name: 'q', value: '$(git log --oneline)' },
                { name: 'r', value: '$(context.pipelineRun.id)' },
                { name: 's', value: '$(context.pipelineRun.name)' },
              ],
            }),
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].params[0].value',
          'invalid variable reference "$(date)", must start with a valid prefix: params, tasks, finally, context, workspaces, or results; if you meant a shell variable, use ${VAR} instead',
        ],
        [
          'spec.tasks[0].params[2].value',
          'non-existent variable in "$(context.pipelineRun.id)"; use one of $(context.pipelineRun.name), $(context.pipelineRun.namespace), $(context.pipelineRun.uid)',
        ],
      ]);
    });

    it('are passed once', () => {
      expect(
        problems({
          tasks: [
            ref('a', {
              params: [
                { name: 'p', value: '1' },
                { name: 'p', value: '2' },
              ],
            }),
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].params[1].name',
          'parameter names must be unique, the parameter "p" is also defined at spec.tasks[0].params[0].name; remove one of them',
        ],
      ]);
    });

    it('are declared once, with defaults of their type', () => {
      expect(
        problems({
          params: [
            { name: 'a' },
            { name: 'a' },
            { name: 'b', type: 'array', default: 'x' },
            { name: 'c', type: 'list' as any },
            { name: 'd', enum: ['x', 'y'], default: 'z' },
          ],
          tasks: [ref('t')],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.params[1].name',
          'parameter appears more than once: "a"; remove or rename one of them',
        ],
        [
          'spec.params[2].default',
          '"array" type does not match default value\'s type: "string"; change the default or the type',
        ],
        [
          'spec.params[3].type',
          'invalid value: list; the type must be string, array or object',
        ],
        [
          'spec.params[4].default',
          'param default value z not in the enum list; add it to enum or change the default',
        ],
      ]);
    });

    const build = task('build', {
      params: [{ name: 'IMAGE' }, { name: 'CONTEXT', default: '.' }],
      workspaces: [{ name: 'source' }, { name: 'cache', optional: true }],
      results: [{ name: 'IMAGE_DIGEST' }],
      steps: [{ image: 'a' }],
    });

    it('that a referenced Task requires must be passed; unknown ones are warned about', () => {
      expect(
        problems(
          {
            workspaces: [{ name: 'ws' }],
            tasks: [
              ref('b', {
                taskRef: { name: 'build' },
                params: [{ name: 'CONTXT', value: 'x' }],
                workspaces: [{ name: 'source', workspace: 'ws' }],
              }),
            ],
          },
          { tasks: [build] },
        ),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[0].params',
          task: 'b',
          message:
            'missing parameters: [IMAGE]; param "IMAGE" has no default, so "b" must pass a value for it',
        },
        {
          severity: 'warning',
          path: 'spec.tasks[0].params[0].name',
          task: 'b',
          message:
            'param "CONTXT" is not declared by Task "build"; remove it or check its name',
        },
      ]);
    });

    it('are not passed both in params and in the matrix', () => {
      expect(
        problems({
          tasks: [
            ref('a', {
              params: [{ name: 'os', value: 'linux' }],
              matrix: { params: [{ name: 'os', value: ['linux', 'darwin'] }] },
            }),
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[0].matrix.params[0].name',
          'expected exactly one, got both: matrix[os], params[os]; pass "os" either in params or in the matrix',
        ],
      ]);
    });

    it('of a matrixed task are consumed in aggregate only', () => {
      expect(
        problems({
          tasks: [
            ref('build', {
              matrix: { params: [{ name: 'os', value: ['linux', 'darwin'] }] },
            }),
            ref('pack', {
              params: [
                { name: 'all', value: '$(tasks.build.results.binary[*])' },
                { name: 'one', value: '$(tasks.build.results.binary)' },
              ],
            }),
          ],
        }).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.tasks[1].params[1].value',
          'A matrixed pipelineTask can only be consumed in aggregate using [*] notation, but is currently set to tasks.build.results.binary; use $(tasks.build.results.binary[*])',
        ],
      ]);
    });

    it('of a matrix count as passed', () => {
      expect(
        problems(
          {
            params: [{ name: 'images', type: 'array' }],
            workspaces: [{ name: 'ws' }],
            tasks: [
              ref('b', {
                taskRef: { name: 'build' },
                matrix: {
                  params: [{ name: 'IMAGE', value: '$(params.images[*])' }],
                },
                workspaces: [{ name: 'source', workspace: 'ws' }],
              }),
            ],
          },
          { tasks: [build] },
        ),
      ).toEqual([]);
    });

    it('of an inline task without default must be passed, or come from the pipeline', () => {
      const inline = (params: PipelineSpec['params']) =>
        problems({
          params,
          tasks: [
            {
              name: 'a',
              taskSpec: { params: [{ name: 'x' }], steps: [{ image: 'a' }] },
            },
          ],
        }).map(p => p.message);
      expect(inline([])).toEqual([
        'missing parameters: [x]; param "x" has no default, so "a" must pass a value for it',
      ]);
      expect(inline([{ name: 'x' }])).toEqual([]);
    });

    it('warns when the referenced Task is not in the namespace', () => {
      expect(problems({ tasks: [ref('a')] }, { tasks: [build] })).toEqual([
        {
          severity: 'warning',
          path: 'spec.tasks[0].taskRef.name',
          task: 'a',
          message:
            'Task "echo" was not found in the namespace; create it there or pick another Task',
        },
      ]);
    });

    it('checks results of referenced Tasks', () => {
      expect(
        problems(
          {
            params: [{ name: 'i' }],
            workspaces: [{ name: 'ws' }],
            tasks: [
              ref('b', {
                taskRef: { name: 'build' },
                params: [{ name: 'IMAGE', value: '$(params.i)' }],
                workspaces: [{ name: 'source', workspace: 'ws' }],
              }),
              {
                name: 'c',
                params: [{ name: 'd', value: '$(tasks.b.results.DIGEST)' }],
                taskSpec: { params: [{ name: 'd' }], steps: [{ image: 'a' }] },
              },
            ],
          },
          { tasks: [build] },
        ).map(p => p.message),
      ).toEqual([
        'invalid result reference in pipeline task "c": "DIGEST" is not a named result returned by pipeline task "b"; it returns "IMAGE_DIGEST"',
      ]);
    });
  });

  describe('workspaces', () => {
    it('bound by a task must be declared by the pipeline', () => {
      expect(
        problems({
          tasks: [
            ref('a', { workspaces: [{ name: 'output', workspace: 'source' }] }),
          ],
        }),
      ).toEqual([
        {
          severity: 'error',
          path: 'spec.tasks[0].workspaces[0].workspace',
          task: 'a',
          message:
            'invalid value: pipeline task "a" expects workspace with name "source" but none exists in pipeline spec; declare it in the pipeline\'s workspaces',
        },
      ]);
    });

    it('that a task requires must be bound, and bindings must match its workspaces', () => {
      expect(
        problems(
          {
            workspaces: [{ name: 'ws' }, { name: 'ws' }],
            tasks: [
              {
                name: 'a',
                workspaces: [{ name: 'typo', workspace: 'ws' }],
                taskRef: { name: 'build' },
              },
            ],
          },
          {
            tasks: [
              {
                apiVersion: 'tekton.dev/v1',
                kind: 'Task',
                metadata: { name: 'build' },
                spec: {
                  workspaces: [
                    { name: 'source' },
                    { name: 'cache', optional: true },
                  ],
                  steps: [{ image: 'a' }],
                },
              },
            ],
          },
        ).map(p => [p.path, p.message]),
      ).toEqual([
        [
          'spec.workspaces[1].name',
          'workspace with name "ws" appears more than once; remove or rename one of them',
        ],
        [
          'spec.tasks[0].workspaces',
          'declared workspace "source" is required but has not been bound; bind it to a pipeline workspace',
        ],
        [
          'spec.tasks[0].workspaces[0].name',
          'workspace binding "typo" does not match any declared workspace; the task declares "source", "cache"',
        ],
      ]);
    });

    it('an inline task gets bound workspaces it does not declare (propagation)', () => {
      expect(
        problems({
          workspaces: [{ name: 'ws' }],
          tasks: [
            {
              name: 'a',
              workspaces: [{ name: 'target', workspace: 'ws' }],
              taskSpec: {
                steps: [{ image: 'a', script: 'ls $(workspaces.target.path)' }],
              },
            },
          ],
        }),
      ).toEqual([]);
    });
  });

  it('does not throw on malformed input', () => {
    expect(
      validatePipeline({
        metadata: { name: 'x' },
        spec: {
          tasks: ['nope', { name: 'a', taskSpec: { steps: 'x' } }] as any,
          params: 'x' as any,
          finally: { a: 1 } as any,
        },
      }).map(p => p.path),
    ).toEqual(['spec.tasks[0]', 'spec.tasks[1].taskSpec.steps']);
    expect(validatePipeline({ metadata: { name: 'x' } } as Pipeline)).toEqual([
      {
        severity: 'error',
        path: 'spec',
        message: 'missing field(s); add a spec with tasks',
      },
    ]);
  });
});
