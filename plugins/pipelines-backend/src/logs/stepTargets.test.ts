import { PipelineRun, TaskRun } from '@cairn/plugin-pipelines-common';
import { currentAttempt, stepTargets } from './stepTargets';

const run: PipelineRun = {
  metadata: { name: 'build-1', namespace: 'ci', uid: 'run-uid' },
  spec: {},
};

const taskRun: TaskRun = {
  metadata: { name: 'build-1-test', namespace: 'ci' },
  spec: {},
  status: {
    retriesStatus: [
      {
        podName: 'build-1-test-pod',
        steps: [
          { name: 'unit', container: 'step-unit', terminated: { exitCode: 1 } },
        ],
      },
    ],
    podName: 'build-1-test-pod-retry1',
    steps: [
      { name: 'unit', container: 'step-unit', running: {} },
      { name: 'report', waiting: { reason: 'PodInitializing' } },
    ],
  },
};

describe('stepTargets', () => {
  it('lists the started steps of every attempt, each in its own pod', () => {
    expect(stepTargets(run, taskRun)).toEqual([
      {
        key: {
          runUid: 'run-uid',
          taskRun: 'build-1-test',
          attempt: 0,
          step: 'unit',
        },
        namespace: 'ci',
        pod: 'build-1-test-pod',
        container: 'step-unit',
        ended: true,
      },
      {
        key: {
          runUid: 'run-uid',
          taskRun: 'build-1-test',
          attempt: 1,
          step: 'unit',
        },
        namespace: 'ci',
        pod: 'build-1-test-pod-retry1',
        container: 'step-unit',
        ended: false,
      },
    ]);
    expect(currentAttempt(taskRun)).toBe(1);
  });

  it('has nothing before the pod exists', () => {
    expect(
      stepTargets(run, {
        ...taskRun,
        status: { steps: [{ name: 'unit', running: {} }] },
      }),
    ).toEqual([]);
    expect(stepTargets({ ...run, metadata: { name: 'x' } }, taskRun)).toEqual(
      [],
    );
  });

  it('names an unnamed container as Tekton does', () => {
    const [target] = stepTargets(run, {
      ...taskRun,
      status: { podName: 'p', steps: [{ name: 'build', running: {} }] },
    });
    expect(target.container).toBe('step-build');
  });
});
