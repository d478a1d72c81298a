import {
  Condition,
  PipelineRun,
  TaskRun,
} from '@cairn/plugin-pipelines-common';
import { stripUnreadRunFields } from './TektonWatches';

const metadata = {
  name: 'build-1',
  namespace: 'ci',
  uid: 'uid-1',
  resourceVersion: '42',
  labels: { 'backstage.io/kubernetes-id': 'shop' },
  annotations: {
    'cairn.dev/started-by': 'user:default/ada',
    'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}',
  },
  managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
};

const conditions: Condition[] = [
  { type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'ok' },
];

describe('stripUnreadRunFields', () => {
  it("keeps what the portal reads of a PipelineRun, drops the server's bookkeeping, provenance and spanContext", () => {
    const run: PipelineRun = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata,
      spec: {
        pipelineRef: { name: 'build' },
        params: [{ name: 'revision', value: 'main' }],
      },
      status: {
        conditions,
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:01:00Z',
        pipelineSpec: { tasks: [{ name: 'compile', taskRef: { name: 'c' } }] },
        childReferences: [
          { kind: 'TaskRun', name: 'build-1-compile', pipelineTaskName: 'c' },
        ],
        results: [{ name: 'digest', value: 'sha256:1' }],
        skippedTasks: [{ name: 'deploy', reason: 'When Expressions' }],
        provenance: { featureFlags: { enableAPIFields: 'beta' } },
        spanContext: { traceparent: '00-abc-def-01' },
      },
    };
    const original = structuredClone(run);

    expect(stripUnreadRunFields(run)).toEqual({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        name: 'build-1',
        namespace: 'ci',
        uid: 'uid-1',
        resourceVersion: '42',
        labels: { 'backstage.io/kubernetes-id': 'shop' },
        annotations: { 'cairn.dev/started-by': 'user:default/ada' },
      },
      spec: run.spec,
      status: {
        conditions,
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:01:00Z',
        pipelineSpec: run.status!.pipelineSpec,
        childReferences: run.status!.childReferences,
        results: run.status!.results,
        skippedTasks: run.status!.skippedTasks,
      },
    });
    // The object from the API is left as it came.
    expect(run).toEqual(original);
  });

  it("keeps a TaskRun's steps, results and pod, and drops its resolved taskSpec", () => {
    const steps = [
      {
        name: 'say',
        container: 'step-say',
        terminated: { exitCode: 0, reason: 'Completed' },
      },
    ];
    const taskRun: TaskRun = {
      kind: 'TaskRun',
      metadata: { ...metadata, name: 'build-1-compile' },
      spec: { taskRef: { name: 'compile' }, retries: 1 },
      status: {
        conditions,
        podName: 'build-1-compile-pod',
        steps,
        results: [{ name: 'digest', value: 'sha256:1' }],
        retriesStatus: [{ conditions }],
        taskSpec: { steps: [{ name: 'say', image: 'alpine', script: 'x' }] },
        provenance: { featureFlags: {} },
        spanContext: { traceparent: '00-abc-def-01' },
      },
    };

    const slim = stripUnreadRunFields(taskRun);
    expect(slim.metadata.managedFields).toBeUndefined();
    expect(slim.spec).toEqual(taskRun.spec);
    expect(slim.status).toEqual({
      conditions,
      podName: 'build-1-compile-pod',
      steps,
      results: [{ name: 'digest', value: 'sha256:1' }],
      retriesStatus: [{ conditions }],
    });
    expect(taskRun.status?.taskSpec).toBeDefined();
  });

  it('takes a run without a status (just created) as it is, less the bookkeeping', () => {
    const run: PipelineRun = {
      metadata: { name: 'new', namespace: 'ci', managedFields: [] },
      spec: { pipelineRef: { name: 'build' } },
    };
    expect(stripUnreadRunFields(run)).toEqual({
      metadata: { name: 'new', namespace: 'ci' },
      spec: { pipelineRef: { name: 'build' } },
    });
  });
});
