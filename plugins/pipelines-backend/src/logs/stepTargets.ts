import {
  PipelineRun,
  StepState,
  TaskRun,
} from '@cairn/plugin-pipelines-common';
import { StepKey } from './LogStore';

/** A step container whose log is there to archive. */
export interface StepTarget {
  key: StepKey;
  namespace: string;
  pod: string;
  container: string;
  /** Its container ended (its log is whole). */
  ended: boolean;
}

/**
 * The steps of every attempt of a TaskRun (retries included) whose
 * container has started, so has a log: the current attempt is number
 * `retriesStatus.length`, the earlier ones are in `retriesStatus`.
 */
export function stepTargets(run: PipelineRun, taskRun: TaskRun): StepTarget[] {
  const runUid = run.metadata.uid;
  const taskRunName = taskRun.metadata.name;
  if (!runUid || !taskRunName) return [];
  const attempts: Array<Record<string, unknown>> = [
    ...(taskRun.status?.retriesStatus ?? []),
    taskRun.status ?? {},
  ];
  const targets: StepTarget[] = [];
  attempts.forEach((attempt, index) => {
    const pod = attempt.podName;
    if (typeof pod !== 'string' || !pod || !Array.isArray(attempt.steps)) {
      return;
    }
    for (const state of attempt.steps as StepState[]) {
      if (!state.name || !(state.running || state.terminated)) continue;
      targets.push({
        key: { runUid, taskRun: taskRunName, attempt: index, step: state.name },
        namespace: taskRun.metadata.namespace ?? '',
        pod,
        container: state.container ?? `step-${state.name}`,
        ended: Boolean(state.terminated),
      });
    }
  });
  return targets;
}

/** The attempt a step's log is read from when none is asked for: the latest. */
export function currentAttempt(taskRun: TaskRun): number {
  return taskRun.status?.retriesStatus?.length ?? 0;
}
