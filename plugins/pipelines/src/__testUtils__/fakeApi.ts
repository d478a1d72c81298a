import {
  buildParamForm,
  buildPipelineGraph,
  overlayRunStatus,
  PipelineRun,
  summarizeTaskProgress,
  TaskRun,
  getRunStatus,
} from '@cairn/plugin-pipelines-common';
import {
  CancelMode,
  CreatePipelineRequest,
  ListRunsQuery,
  PipelineDefinition,
  PipelineDefinitionRef,
  PipelineTargets,
  TasksList,
  UpdatePipelineRequest,
  PipelinesApi,
  PipelinesList,
  RunChange,
  RunDetails,
  StepLog,
  StepLogMatches,
  StepRef,
  RunRef,
  RunsPage,
  RunSummary,
  StartRunRequest,
} from '../api';

/** A PipelinesApi that records its calls and answers from fixtures. */
export class FakePipelinesApi implements PipelinesApi {
  listCalls: ListRunsQuery[] = [];
  calls: Array<{ method: string; args: unknown[] }> = [];
  pages: RunsPage[] = [];
  details?: RunDetails;
  failWith?: Error;
  pipelines: PipelinesList = { items: [], clusterErrors: [] };
  /** Logs by `taskRun/step`. */
  logs: Record<string, StepLog> = {};
  /** Chunks a followed log sends, by `taskRun/step`. */
  followed: Record<string, string[]> = {};
  /** Pipelines the builder loads, by `cluster/namespace/name`; saves update them. */
  definitions: Record<string, PipelineDefinition> = {};
  tasks: TasksList = { items: [], clusterErrors: [] };
  targets: PipelineTargets = { clusters: ['dev'] };

  /** Pushes changes to the open watches; set `watchFails` to refuse them. */
  watchers: Array<(changes: RunChange[]) => void> = [];
  watchFails = false;

  async watchRuns(
    entityRef: string | undefined,
    onChanges: (changes: RunChange[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.calls.push({ method: 'watchRuns', args: [entityRef] });
    if (this.watchFails) throw new Error('no event stream');
    this.watchers.push(onChanges);
    await new Promise<void>(resolve =>
      signal.addEventListener('abort', () => resolve()),
    );
    this.watchers = this.watchers.filter(w => w !== onChanges);
  }

  push(changes: RunChange[]) {
    this.watchers.forEach(w => w(changes));
  }

  async listPipelines(entityRef?: string): Promise<PipelinesList> {
    this.calls.push({ method: 'listPipelines', args: [entityRef] });
    return this.pipelines;
  }
  async getStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
  ): Promise<StepLog> {
    this.calls.push({ method: 'getStepLog', args: [entityRef, run, step] });
    const log = this.logs[`${step.taskRun}/${step.step}`];
    if (!log) throw new Error(`no log for ${step.taskRun}/${step.step}`);
    return log;
  }
  async searchStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    query: string,
  ): Promise<StepLogMatches> {
    this.calls.push({
      method: 'searchStepLog',
      args: [entityRef, run, step, query],
    });
    const text = this.logs[`${step.taskRun}/${step.step}`]?.text ?? '';
    const matches: StepLogMatches['matches'] = [];
    let offset = 0;
    for (const line of text.split('\n')) {
      if (line.toLowerCase().includes(query.toLowerCase())) {
        matches.push({ offset, line });
      }
      offset += new TextEncoder().encode(line).length + 1;
    }
    return { matches, truncated: false };
  }
  /** Whether a followed log stays open after its chunks, as a running step's does. */
  followStaysOpen = false;
  async followStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    onText: (chunk: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    this.calls.push({ method: 'followStepLog', args: [entityRef, run, step] });
    for (const chunk of this.followed[`${step.taskRun}/${step.step}`] ?? []) {
      await Promise.resolve();
      onText(chunk);
    }
    if (this.followStaysOpen && signal) {
      await new Promise<void>(resolve =>
        signal.addEventListener('abort', () => resolve()),
      );
    }
  }

  async listRuns(query: ListRunsQuery): Promise<RunsPage> {
    this.listCalls.push(query);
    if (this.failWith) throw this.failWith;
    const index = query.cursor ? Number(query.cursor.replace('page-', '')) : 0;
    return this.pages[index] ?? { items: [], totalCount: 0, clusterErrors: [] };
  }
  async getRun(entityRef: string, run: RunRef): Promise<RunDetails> {
    this.calls.push({ method: 'getRun', args: [entityRef, run] });
    if (!this.details) throw new Error('no run');
    return this.details;
  }
  async startRun(entityRef: string, request: StartRunRequest): Promise<RunRef> {
    this.calls.push({ method: 'startRun', args: [entityRef, request] });
    if (this.failWith) throw this.failWith;
    return {
      cluster: request.cluster,
      namespace: request.namespace,
      name: 'new-run',
    };
  }
  async rerun(
    entityRef: string,
    run: RunRef,
    params: Record<string, unknown>,
  ): Promise<RunRef> {
    this.calls.push({ method: 'rerun', args: [entityRef, run, params] });
    if (this.failWith) throw this.failWith;
    return { ...run, name: 'rerun-1' };
  }
  async cancelRun(entityRef: string, run: RunRef, mode: CancelMode) {
    this.calls.push({ method: 'cancelRun', args: [entityRef, run, mode] });
    if (this.failWith) throw this.failWith;
  }
  async startPendingRun(entityRef: string, run: RunRef) {
    this.calls.push({ method: 'startPendingRun', args: [entityRef, run] });
    if (this.failWith) throw this.failWith;
  }
  async deleteRun(entityRef: string, run: RunRef) {
    this.calls.push({ method: 'deleteRun', args: [entityRef, run] });
    if (this.failWith) throw this.failWith;
  }
  async getPipeline(
    entityRef: string,
    ref: PipelineDefinitionRef,
  ): Promise<PipelineDefinition> {
    this.calls.push({ method: 'getPipeline', args: [entityRef, ref] });
    const definition =
      this.definitions[`${ref.cluster}/${ref.namespace}/${ref.name}`];
    if (!definition) throw new Error(`no pipeline ${ref.name}`);
    return definition;
  }
  async createPipeline(
    entityRef: string,
    request: CreatePipelineRequest,
  ): Promise<PipelineDefinition> {
    this.calls.push({ method: 'createPipeline', args: [entityRef, request] });
    if (this.failWith) throw this.failWith;
    const name = request.pipeline.metadata.name ?? '';
    return this.save(
      { cluster: request.cluster, namespace: request.namespace, name },
      request.pipeline,
      '1',
    );
  }
  async updatePipeline(
    entityRef: string,
    ref: PipelineDefinitionRef,
    request: UpdatePipelineRequest,
  ): Promise<PipelineDefinition> {
    this.calls.push({
      method: 'updatePipeline',
      args: [entityRef, ref, request],
    });
    if (this.failWith) throw this.failWith;
    return this.save(
      ref,
      request.pipeline,
      String(Number(request.resourceVersion) + 1),
    );
  }
  private save(
    ref: PipelineDefinitionRef,
    pipeline: PipelineDefinition['pipeline'],
    resourceVersion: string,
  ): PipelineDefinition {
    const definition = {
      ...ref,
      resourceVersion,
      pipeline: {
        ...pipeline,
        metadata: { ...pipeline.metadata, resourceVersion },
      },
    };
    this.definitions[`${ref.cluster}/${ref.namespace}/${ref.name}`] =
      definition;
    return definition;
  }
  async listTasks(
    entityRef: string,
    where: { cluster: string; namespace: string },
  ): Promise<TasksList> {
    this.calls.push({ method: 'listTasks', args: [entityRef, where] });
    return this.tasks;
  }
  async getTargets(entityRef: string): Promise<PipelineTargets> {
    this.calls.push({ method: 'getTargets', args: [entityRef] });
    return this.targets;
  }
}

const T0 = '2026-11-25T01:00:00Z';

function condition(status: 'True' | 'False' | 'Unknown', reason: string) {
  return [{ type: 'Succeeded', status, reason, message: `${reason} message` }];
}

/** A run of `build`: fetch succeeded, test failed, deploy skipped, report (finally) running. */
export function makeRunDetails(): RunDetails {
  const run: PipelineRun = {
    metadata: {
      name: 'build-x1',
      namespace: 'shop',
      labels: { 'tekton.dev/pipeline': 'build' },
    },
    spec: {
      pipelineRef: { name: 'build' },
      params: [{ name: 'revision', value: 'main' }],
    },
    status: {
      conditions: condition('Unknown', 'Running'),
      startTime: T0,
      pipelineSpec: {
        params: [
          { name: 'revision', type: 'string' },
          {
            name: 'mode',
            type: 'string',
            enum: ['fast', 'full'],
            default: 'fast',
          },
          { name: 'flags', type: 'array', default: [] },
        ],
        tasks: [
          { name: 'fetch', taskRef: { name: 'git' } },
          { name: 'test', runAfter: ['fetch'], taskRef: { name: 't' } },
          { name: 'deploy', runAfter: ['test'], taskRef: { name: 'd' } },
        ],
        finally: [{ name: 'report', taskRef: { name: 'r' } }],
      },
      childReferences: [
        { name: 'build-x1-fetch', pipelineTaskName: 'fetch' },
        { name: 'build-x1-test', pipelineTaskName: 'test' },
        { name: 'build-x1-report', pipelineTaskName: 'report' },
      ],
      skippedTasks: [
        { name: 'deploy', reason: 'When Expressions evaluated to false' },
      ],
      results: [{ name: 'image', value: 'registry/shop@sha256:abc' }],
    },
  };
  const taskRun = (
    name: string,
    status: 'True' | 'False' | 'Unknown',
    reason: string,
    exitCode?: number,
  ): TaskRun => ({
    metadata: { name: `build-x1-${name}`, namespace: 'shop' },
    spec: {},
    status: {
      conditions: condition(status, reason),
      startTime: T0,
      completionTime: status === 'Unknown' ? undefined : '2026-11-25T01:00:42Z',
      steps:
        exitCode === undefined
          ? [{ name: 'run', running: { startedAt: T0 } }]
          : [
              {
                name: 'compile',
                terminated: {
                  exitCode: 0,
                  reason: 'Completed',
                  startedAt: T0,
                  finishedAt: '2026-11-25T01:00:10Z',
                },
              },
              {
                name: 'unit',
                terminated: {
                  exitCode,
                  reason: exitCode ? 'Error' : 'Completed',
                  startedAt: T0,
                  finishedAt: '2026-11-25T01:00:42Z',
                },
              },
            ],
    },
  });
  const taskRuns = [
    taskRun('fetch', 'True', 'Succeeded', 0),
    taskRun('test', 'False', 'Failed', 2),
    taskRun('report', 'Unknown', 'Running'),
  ];
  const graph = buildPipelineGraph(run.status!.pipelineSpec!);
  const overlay = overlayRunStatus(
    graph,
    run,
    taskRuns,
    new Date('2026-11-25T01:01:00Z'),
  );
  const tasks = Object.fromEntries(
    Object.entries(overlay).map(([name, { runs, ...state }]) => [
      name,
      { ...state, taskRuns: runs.map(r => r.metadata.name ?? '') },
    ]),
  );
  return {
    summary: summarize(run, taskRuns),
    run,
    taskRuns,
    graph,
    tasks,
    paramForm: buildParamForm(
      run.status?.pipelineSpec?.params,
      run.spec.params,
    ),
    clusterErrors: [],
  };
}

export function summarize(
  run: PipelineRun,
  taskRuns: TaskRun[] = [],
): RunSummary {
  return {
    entityRef: 'component:default/shop',
    cluster: 'dev',
    namespace: run.metadata.namespace ?? 'shop',
    name: run.metadata.name ?? '',
    pipeline: run.metadata.labels?.['tekton.dev/pipeline'],
    status: getRunStatus(run),
    trigger: 'other',
    startTime: run.status?.startTime,
    durationMs: 65000,
    progress: summarizeTaskProgress(run, taskRuns),
    labels: run.metadata.labels ?? {},
  };
}
