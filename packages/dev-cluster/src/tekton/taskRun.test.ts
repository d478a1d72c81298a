import type { V1Pod } from '@kubernetes/client-node';
import {
  parseResultsLog,
  RESULTS_CONTAINER,
  RESULTS_SCRIPT,
  STEP_SCRIPT,
} from './entrypoint';
import {
  applyStepTemplate,
  buildPod,
  podNameFor,
  resolveTaskSpec,
  statusFromPod,
  terminateUnfinishedSteps,
  imageShell,
} from './taskRun';
import type { TaskRun, TaskSpec } from './types';

const taskRun = (
  extra: Partial<TaskRun['spec']> = {},
  status?: TaskRun['status'],
): TaskRun => ({
  metadata: {
    name: 'tr',
    namespace: 'ns',
    uid: 'tr-uid',
    labels: {
      'tekton.dev/pipelineRun': 'r',
      'backstage.io/kubernetes-id': 'svc',
    },
  },
  spec: extra,
  status,
});

const spec: TaskSpec = {
  params: [
    { name: 'greeting', default: 'hello' },
    { name: 'files', type: 'array' },
  ],
  results: [{ name: 'out' }, { name: 'list', type: 'array' }],
  workspaces: [
    { name: 'src' },
    { name: 'cache', mountPath: '/cache' },
    { name: 'unused', optional: true },
  ],
  stepTemplate: {
    env: [
      { name: 'A', value: 'template' },
      { name: 'B', value: 'template' },
    ],
  },
  steps: [
    {
      name: 'greet',
      image: 'alpine',
      env: [{ name: 'B', value: 'own' }],
      script:
        'echo $(params.greeting) $(context.taskRun.name) $(context.task.name) > $(results.out.path)',
    },
    {
      image: 'alpine',
      command: ['ls'],
      args: [
        '$(params.files[*])',
        '$(workspaces.src.path)',
        '$(workspaces.cache.path)',
        '$(workspaces.unused.bound)',
      ],
    },
  ],
};

describe('imageShell', () => {
  it('is busybox ash for alpine and busybox images, else the Debian-style sh', () => {
    expect(imageShell('alpine')).toBe('ash');
    expect(imageShell('mirror.gcr.io/alpine:3.20')).toBe('ash');
    expect(imageShell('busybox@sha256:abc')).toBe('ash');
    expect(imageShell('node:22-alpine')).toBe('ash');
    expect(imageShell('registry.acme.example/ci/node:22')).toBe('sh');
    expect(imageShell('mirror.gcr.io/ubuntu')).toBe('sh');
    expect(imageShell(undefined)).toBe('sh');
  });
});

describe('resolveTaskSpec', () => {
  it('substitutes params, context, result and workspace paths', () => {
    const resolved = resolveTaskSpec(
      taskRun({
        params: [{ name: 'files', value: ['a', 'b'] }],
        workspaces: [
          { name: 'src', emptyDir: {} },
          { name: 'cache', persistentVolumeClaim: { claimName: 'c' } },
        ],
      }),
      spec,
      'greeter',
    );
    expect(resolved.steps![0].script).toBe(
      'echo hello tr greeter > /tekton/results/out',
    );
    expect(resolved.steps![0].env).toEqual([
      { name: 'A', value: 'template' },
      { name: 'B', value: 'own' },
    ]);
    expect(resolved.steps![1].args).toEqual([
      'a',
      'b',
      '/workspace/src',
      '/cache',
      'false',
    ]);
  });

  it('counts retries for $(context.task.retry-count)', () => {
    const resolved = resolveTaskSpec(
      taskRun({}, { retriesStatus: [{}, {}] }),
      {
        steps: [
          {
            name: 's',
            image: 'alpine',
            script: 'echo $(context.task.retry-count)',
          },
        ],
      },
      't',
    );
    expect(resolved.steps![0].script).toBe('echo 2');
  });
});

describe('buildPod', () => {
  const run = taskRun({
    serviceAccountName: 'builder',
    workspaces: [
      { name: 'src', emptyDir: {}, subPath: 'sub' },
      {
        name: 'cache',
        persistentVolumeClaim: { claimName: 'c' },
        subPath: 'x',
      },
    ],
  });
  const pod = buildPod(
    run,
    resolveTaskSpec(
      { ...run, spec: { ...run.spec, params: [{ name: 'files', value: [] }] } },
      spec,
      'greeter',
    ),
    {
      claimsDir: '/claims',
      taskName: 'greeter',
    },
  );

  it('names and labels the pod as Tekton does', () => {
    expect(pod.metadata).toMatchObject({
      name: 'tr-pod',
      namespace: 'ns',
      labels: {
        'tekton.dev/pipelineRun': 'r',
        'backstage.io/kubernetes-id': 'svc',
        'tekton.dev/task': 'greeter',
        'tekton.dev/taskRun': 'tr',
        'tekton.dev/taskRunUID': 'tr-uid',
        'app.kubernetes.io/managed-by': 'tekton-pipelines',
      },
      ownerReferences: [
        expect.objectContaining({
          kind: 'TaskRun',
          name: 'tr',
          uid: 'tr-uid',
          controller: true,
        }),
      ],
    });
    expect(pod.spec!.restartPolicy).toBe('Never');
    expect(pod.spec!.serviceAccountName).toBe('builder');
  });

  it('has a step-<name> container per step, then the results sidecar', () => {
    expect(pod.spec!.containers.map(c => c.name)).toEqual([
      'step-greet',
      'step-unnamed-1',
      RESULTS_CONTAINER,
    ]);
    const [greet, list] = pod.spec!.containers;
    const env = (c: typeof greet) =>
      Object.fromEntries(c.env!.map(e => [e.name, e.value]));
    expect(env(greet)).toMatchObject({
      TEKTON_STEP_INDEX: '0',
      TEKTON_STEP_ON_ERROR: 'stopAndFail',
      TEKTON_STEP_WORKING_DIR: '/workspace',
    });
    expect(
      Buffer.from(env(greet).TEKTON_STEP_SCRIPT!, 'base64').toString(),
    ).toContain('> /tekton/results/out');
    expect(list.command!.slice(3)).toEqual([
      'tekton-entrypoint',
      'ls',
      '/workspace/src',
      '/cache',
      'false',
    ]);
    expect(greet.volumeMounts).toEqual([
      { name: 'tekton-internal-run', mountPath: '/tekton/run' },
      { name: 'tekton-internal-results', mountPath: '/tekton/results' },
      { name: 'tekton-internal-steps', mountPath: '/tekton/steps' },
      { name: 'tekton-internal-home', mountPath: '/tekton/home' },
      { name: 'tekton-internal-workspace', mountPath: '/workspace' },
      { name: 'ws-src', mountPath: '/workspace/src', subPath: 'sub' },
      { name: 'ws-cache', mountPath: '/cache' },
    ]);
    // A claim's workspace is its directory shared by the TaskRuns that bind it.
    expect(pod.spec!.volumes).toContainEqual({
      name: 'ws-cache',
      hostPath: { path: '/claims/ns/c/x', type: 'DirectoryOrCreate' },
    });
  });

  it('names retry pods', () => {
    expect(podNameFor(taskRun({}, { retriesStatus: [{}] }))).toBe(
      'tr-pod-retry1',
    );
  });
});

describe('statusFromPod', () => {
  const steps: TaskSpec = {
    results: [{ name: 'out' }, { name: 'list', type: 'array' }],
    steps: [
      { name: 'a', image: 'alpine', script: 'true', onError: 'continue' },
      { name: 'b', image: 'alpine', script: 'false' },
      { name: 'c', image: 'alpine', script: 'true' },
    ],
  };
  const terminated = (exitCode: number) => ({
    state: {
      terminated: {
        exitCode,
        startedAt: new Date(0),
        finishedAt: new Date(1000),
      },
    },
  });
  const pod = (phase: string, states: Record<string, object>): V1Pod => ({
    metadata: { name: 'tr-pod', namespace: 'ns' },
    status: {
      phase,
      containerStatuses: Object.entries(states).map(([name, s]) => ({
        name,
        image: 'alpine',
        imageID: `sha256:${name.slice(-1)}`,
        ready: false,
        restartCount: 0,
        ...s,
      })),
    },
  });
  const log = [
    `result out ${Buffer.from('hi').toString('base64')}`,
    `result list ${Buffer.from('["x","y"]').toString('base64')}`,
    'exitCode 0 7',
    'exitCode 1 2',
    'exitCode 2 skipped',
  ].join('\n');

  it('reports a failed step, continued and skipped steps, and results', () => {
    const status = statusFromPod(
      steps,
      pod('Failed', {
        'step-a': terminated(0),
        'step-b': terminated(2),
        'step-c': terminated(1),
      }),
      log,
    );
    expect(status.condition).toEqual({
      status: 'False',
      reason: 'Failed',
      message:
        '"step-b" exited with code 2 (image: "sha256:b"); for logs run: kubectl -n ns logs tr-pod -c step-b\n',
    });
    expect(
      status.steps!.map(s => [
        s.name,
        s.container,
        s.terminated!.exitCode,
        s.terminationReason,
      ]),
    ).toEqual([
      ['a', 'step-a', 7, 'Continued'],
      ['b', 'step-b', 2, 'Error'],
      ['c', 'step-c', 1, 'Skipped'],
    ]);
    expect(status.results).toEqual([
      { name: 'out', type: 'string', value: 'hi' },
      { name: 'list', type: 'array', value: ['x', 'y'] },
    ]);
  });

  it('reports success, running and pending', () => {
    expect(
      statusFromPod(
        steps,
        pod('Succeeded', {
          'step-a': terminated(0),
          'step-b': terminated(0),
          'step-c': terminated(0),
        }),
        '',
      ).condition,
    ).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message: 'All Steps have completed executing',
    });
    const runningPod = pod('Running', {
      'step-a': { state: { running: { startedAt: new Date(0) } } },
    });
    const running = statusFromPod(steps, runningPod, undefined);
    expect(running.condition.reason).toBe('Running');
    expect(running.steps![0].running).toEqual({
      startedAt: new Date(0).toISOString(),
    });
    expect(running.steps![1].waiting).toEqual({ reason: 'PodInitializing' });
    expect(
      statusFromPod(steps, pod('Pending', {}), undefined).condition,
    ).toEqual({ status: 'Unknown', reason: 'Pending', message: 'Pending' });
    const waiting = pod('Pending', {
      'step-a': {
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "x"',
          },
        },
      },
    });
    expect(statusFromPod(steps, waiting, undefined).condition.message).toBe(
      'build step "step-a" is pending with reason "Back-off pulling image \\"x\\""',
    );
  });

  it('marks unfinished steps of a stopped run', () => {
    expect(
      terminateUnfinishedSteps(
        [
          { name: 'a', container: 'step-a', terminated: { exitCode: 0 } },
          { name: 'b', container: 'step-b', running: {} },
        ],
        'TaskRunCancelled',
      ),
    ).toEqual([
      { name: 'a', container: 'step-a', terminated: { exitCode: 0 } },
      {
        name: 'b',
        container: 'step-b',
        terminated: { exitCode: 1, reason: 'TaskRunCancelled' },
        terminationReason: 'TaskRunCancelled',
      },
    ]);
  });
});

describe('parseResultsLog', () => {
  it('reads results and exit codes, empty values included', () => {
    const parsed = parseResultsLog('result empty \nexitCode 0 0\nnoise\n');
    expect([...parsed.results]).toEqual([['empty', '']]);
    expect([...parsed.exitCodes]).toEqual([[0, 0]]);
  });
});

describe('applyStepTemplate', () => {
  it('lets the step win', () => {
    expect(
      applyStepTemplate({
        stepTemplate: { image: 'a', workingDir: '/w' },
        steps: [{ name: 's', image: 'b' }],
      }),
    ).toEqual([{ name: 's', image: 'b', workingDir: '/w' }]);
  });
});

describe('entrypoint scripts', () => {
  it('contain nothing Kubernetes would expand in a command', () => {
    for (const script of [STEP_SCRIPT, RESULTS_SCRIPT]) {
      expect(script).not.toMatch(/\$\(|\$\$/);
    }
  });
});
