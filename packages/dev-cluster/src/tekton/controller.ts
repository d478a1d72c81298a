import {
  Controller,
  ItemExponentialFailureRateLimiter,
  silentLogger,
} from '@cairn/controller-runtime';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { DEFAULT_TIMEOUT_MS, formatDuration, parseDuration } from './duration';
import { RESULTS_CONTAINER } from './entrypoint';
import {
  conditionAt,
  LABELS,
  missingMetadata,
  ON_ERROR_ANNOTATION,
  ownerReference,
  succeededCondition,
  STEP_ACTION_VERSION,
  TEKTON_GROUP,
  TEKTON_VERSION,
} from './labels';
import { TektonInformers } from './informers';
import { planPipelineRun, volumeClaimName } from './pipelineRun';
import { refTarget } from './resolvers';
import { ParamError } from './substitution';
import {
  applyStepAction,
  buildPod,
  objectKey,
  projectedObjects,
  podNameFor,
  resolveTaskSpec,
  statusFromPod,
  terminateUnfinishedSteps,
} from './taskRun';
import type {
  Condition,
  Pipeline,
  PipelineRun,
  PipelineSpec,
  Step,
  StepActionSpec,
  Task,
  TaskRun,
  TaskRunStatus,
  TaskSpec,
} from './types';
import {
  invalidResultReference,
  validatePipelineRun,
  validatePipelineSpec,
  validateTaskSpec,
} from './validation';

/*
 * The controller: a client of the Kubernetes API like Tekton's. Events of
 * informers on PipelineRuns, TaskRuns and Tekton's pods trigger work; each
 * reconcile reads the informers' caches (informers.ts) and writes TaskRuns,
 * pods and status through the API with optimistic concurrency: a write from
 * a stale cache fails with a conflict and the key is reconciled again, and
 * children have deterministic names, so one that already exists counts as
 * created. Finished runs are left alone. The decisions are the pure
 * functions of pipelineRun.ts and taskRun.ts.
 */

export interface TektonControllerOptions {
  /** See PodBuildOptions.claimsDir. */
  claimsDir: string;
  /** Receives errors of reconciles (they are retried); console.warn by default. */
  onError?: (error: unknown) => void;
}

/** Reconciles at once; Tekton's controller runs 2 threads per controller by default, the dev cluster more. */
const CONCURRENT_RECONCILES = 16;
/** Retries of a failed reconcile: 200 ms doubling up to 5 s, quicker than client-go's 1000 s cap, for a local cluster. */
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 5_000;

function notFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

function conflictOrExists(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/** JSON equality that ignores key order (the API may reorder keys). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .filter(k => (v as any)[k] !== undefined)
          .sort()
          .map(k => [k, canonical((v as any)[k])]),
      );
    return v;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

type Key = { kind: 'pr' | 'tr'; namespace: string; name: string };

function keyOf(kind: Key['kind'], namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function parseKey(key: string): Key {
  const [kind, namespace, name] = key.split('/');
  return { kind: kind as Key['kind'], namespace, name };
}

export class TektonController {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly queue: Controller;
  private readonly informers: TektonInformers;
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: TektonControllerOptions,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    const onError =
      options.onError ?? (error => console.warn('tekton controller:', error));
    this.queue = new Controller({
      name: 'tekton-pipelines',
      reconcile: async key => {
        const requeueAfterMs = await this.reconcile(key);
        return { requeueAfterMs };
      },
      concurrency: CONCURRENT_RECONCILES,
      // Errors go to onError; the embedding process's stdout is not the controller's.
      logger: silentLogger,
      rateLimiter: new ItemExponentialFailureRateLimiter(
        RETRY_BASE_MS,
        RETRY_MAX_MS,
      ),
      // Conflicts are expected (another write won); they are just retried.
      onError: error => {
        if (!conflictOrExists(error)) onError(error);
      },
    });
    this.informers = new TektonInformers(
      kubeConfig,
      {
        pipelineRun: run =>
          this.queue.enqueue(
            keyOf('pr', run.metadata.namespace!, run.metadata.name!),
          ),
        taskRun: taskRun => {
          const { namespace, name, labels } = taskRun.metadata;
          this.queue.enqueue(keyOf('tr', namespace!, name!));
          const owner = labels?.[LABELS.pipelineRun];
          if (owner) this.queue.enqueue(keyOf('pr', namespace!, owner));
        },
        pod: pod => {
          const taskRun = pod.metadata?.labels?.[LABELS.taskRun];
          if (taskRun)
            this.queue.enqueue(keyOf('tr', pod.metadata!.namespace!, taskRun));
        },
      },
      error => {
        if (!this.stopped) onError(error);
      },
    );
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.informers.stop();
    await this.queue.stop();
  }

  private async reconcile(key: string): Promise<number | undefined> {
    if (this.stopped) return undefined;
    const { kind, namespace, name } = parseKey(key);
    return kind === 'pr'
      ? this.reconcilePipelineRun(namespace, name)
      : this.reconcileTaskRun(namespace, name);
  }

  /**
   * A Pipeline or Task from the cache. One created just before its run may
   * not be there yet, so a miss asks the API before the run fails for it.
   */
  private async definition<T extends Pipeline | Task>(
    plural: 'pipelines' | 'tasks',
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    const cached = this.informers[plural].getByName(name, namespace);
    if (cached) return cached as T;
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: TEKTON_GROUP,
        version: TEKTON_VERSION,
        plural,
        namespace,
        name,
      })) as T;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  private async writeStatus(
    plural: string,
    object: { metadata: any; status?: unknown },
    status: unknown,
  ): Promise<void> {
    if (sameJson(object.status ?? {}, status)) return;
    await this.custom.replaceNamespacedCustomObjectStatus({
      group: TEKTON_GROUP,
      version: TEKTON_VERSION,
      plural,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      body: { ...object, status },
    });
  }

  private async mergePatch(
    plural: string,
    namespace: string,
    name: string,
    body: object,
  ) {
    await this.custom.patchNamespacedCustomObject(
      {
        group: TEKTON_GROUP,
        version: TEKTON_VERSION,
        plural,
        namespace,
        name,
        body,
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** Marks a run failed before it could start, as Tekton does for resolution and validation failures. */
  private async failRun(
    plural: string,
    object: PipelineRun | TaskRun,
    reason: string,
    message: string,
  ): Promise<undefined> {
    const now = new Date();
    const previous = object.status ?? {};
    await this.writeStatus(plural, object, {
      ...previous,
      startTime: previous.startTime ?? now.toISOString(),
      completionTime: previous.completionTime ?? now.toISOString(),
      conditions: [
        conditionAt(
          succeededCondition(previous),
          { status: 'False', reason, message },
          now,
        ),
      ],
    });
    return undefined;
  }

  private async reconcilePipelineRun(
    namespace: string,
    name: string,
  ): Promise<number | undefined> {
    const run = this.informers.pipelineRuns.getByName(name, namespace);
    if (!run || run.metadata.deletionTimestamp) return undefined;
    const condition = succeededCondition(run.status);
    if (condition && condition.status !== 'Unknown') return undefined;
    const runErrors = validatePipelineRun(run);
    if (runErrors.length)
      return this.failRun(
        'pipelineruns',
        run,
        'PipelineValidationFailed',
        runErrors.join('\n'),
      );

    let spec: PipelineSpec;
    let pipelineName = name;
    let pipelineMetadata: Pipeline['metadata'] = {};
    if (run.spec.pipelineRef) {
      const target = refTarget(run.spec.pipelineRef, 'pipeline', namespace);
      if ('error' in target)
        return this.failRun(
          'pipelineruns',
          run,
          'CouldntGetPipeline',
          `Error retrieving pipeline for pipelinerun ${namespace}/${name}: ${target.error}`,
        );
      pipelineName = target.name;
      const pipeline = await this.definition<Pipeline>(
        'pipelines',
        target.namespace,
        pipelineName,
      );
      if (!pipeline)
        return this.failRun(
          'pipelineruns',
          run,
          'CouldntGetPipeline',
          `Error retrieving pipeline for pipelinerun ${namespace}/${name}: pipelines.tekton.dev "${pipelineName}" not found`,
        );
      spec = pipeline.spec ?? {};
      pipelineMetadata = pipeline.metadata;
      const errors = validatePipelineSpec(spec);
      if (errors.length)
        return this.failRun(
          'pipelineruns',
          run,
          'PipelineValidationFailed',
          `Pipeline ${namespace}/${pipelineName} can't be Run; it has an invalid spec: ${errors.join(
            '\n',
          )}`,
        );
    } else {
      spec = run.spec.pipelineSpec!;
    }
    const bound = new Set((run.spec.workspaces ?? []).map(w => w.name));
    const unbound = (spec.workspaces ?? []).find(
      w => !w.optional && !bound.has(w.name),
    );
    if (unbound)
      return this.failRun(
        'pipelineruns',
        run,
        'InvalidWorkspaceBindings',
        `PipelineRun ${namespace}/${name} doesn't bind Pipeline ${namespace}/${pipelineName}'s Workspaces correctly: pipeline requires workspace with name "${unbound.name}" be provided by pipelinerun`,
      );
    // Checked once, before the run starts (it reads every referenced Task).
    const resultError = run.status?.startTime
      ? undefined
      : invalidResultReference(
          spec,
          await this.declaredResults(namespace, spec),
        );
    if (resultError)
      return this.failRun(
        'pipelineruns',
        run,
        'InvalidTaskResultReference',
        resultError,
      );

    const inherited = missingMetadata(run.metadata, {
      labels: { ...pipelineMetadata.labels, [LABELS.pipeline]: pipelineName },
      annotations: pipelineMetadata.annotations,
    });
    if (inherited) {
      await this.mergePatch('pipelineruns', namespace, name, {
        metadata: inherited,
      });
      return undefined;
    }

    const taskRuns = this.informers
      .taskRunsOf(namespace, name)
      .filter(tr =>
        (tr.metadata.ownerReferences ?? []).some(
          o => o.uid === run.metadata.uid,
        ),
      );
    let plan;
    try {
      plan = planPipelineRun({
        run,
        pipelineName,
        spec,
        taskRuns,
        now: new Date(),
      });
    } catch (error) {
      if (error instanceof ParamError)
        return this.failRun('pipelineruns', run, error.reason, error.message);
      return this.failRun(
        'pipelineruns',
        run,
        'PipelineValidationFailed',
        (error as Error).message,
      );
    }
    if (plan.create.length) await this.ensureVolumeClaims(run);
    let cacheBehind = false;
    for (const taskRun of plan.create) {
      try {
        await this.custom.createNamespacedCustomObject({
          group: TEKTON_GROUP,
          version: TEKTON_VERSION,
          plural: 'taskruns',
          namespace,
          body: taskRun,
        });
      } catch (error) {
        if (!conflictOrExists(error)) throw error;
        cacheBehind = true;
      }
    }
    for (const { name: taskRunName, statusMessage } of plan.cancel) {
      await this.mergePatch('taskruns', namespace, taskRunName, {
        spec: { status: 'TaskRunCancelled', statusMessage },
      });
    }
    // A TaskRun that already exists is missing from the cache, and so from
    // plan.status; its informer event brings the next reconcile.
    if (cacheBehind) return undefined;
    await this.writeStatus('pipelineruns', run, plan.status);
    return plan.requeueAfterMs;
  }

  /** Tekton's check that result references name results the referenced task declares. */
  /** The results each pipeline task's Task declares, for checking result references. */
  private async declaredResults(
    namespace: string,
    spec: PipelineSpec,
  ): Promise<Map<string, string[]>> {
    const declared = new Map<string, string[]>();
    for (const task of [...(spec.tasks ?? []), ...(spec.finally ?? [])]) {
      const target = task.taskRef && refTarget(task.taskRef, 'task', namespace);
      const taskSpec =
        task.taskSpec ??
        (target && !('error' in target)
          ? (
              await this.definition<Task>(
                'tasks',
                target.namespace,
                target.name,
              )
            )?.spec
          : undefined);
      if (taskSpec)
        declared.set(
          task.name,
          (taskSpec.results ?? []).map(r => r.name),
        );
    }
    return declared;
  }

  private async ensureVolumeClaims(run: PipelineRun): Promise<void> {
    for (const binding of run.spec.workspaces ?? []) {
      if (!binding.volumeClaimTemplate) continue;
      const template = binding.volumeClaimTemplate;
      try {
        await this.core.createNamespacedPersistentVolumeClaim({
          namespace: run.metadata.namespace!,
          body: {
            ...template,
            metadata: {
              ...template.metadata,
              name: volumeClaimName(run, binding.name),
              ownerReferences: [ownerReference('PipelineRun', run.metadata)],
            },
          },
        });
      } catch (error) {
        // The claim is bookkeeping: its data lives in the claims directory.
        if (!conflictOrExists(error)) this.options.onError?.(error);
      }
    }
  }

  private async reconcileTaskRun(
    namespace: string,
    name: string,
  ): Promise<number | undefined> {
    const taskRun = this.informers.taskRuns.getByName(name, namespace);
    if (!taskRun || taskRun.metadata.deletionTimestamp) return undefined;
    const condition = succeededCondition(taskRun.status);
    if (condition && condition.status !== 'Unknown') return undefined;
    const now = new Date();
    const status: TaskRunStatus = { ...taskRun.status };
    const finish = async (
      reason: string,
      message: string,
      stepReason?: string,
    ) => {
      if (status.podName) await this.deletePod(namespace, status.podName);
      if (stepReason)
        status.steps = terminateUnfinishedSteps(status.steps, stepReason);
      status.completionTime = now.toISOString();
      status.conditions = [
        conditionAt(condition, { status: 'False', reason, message }, now),
      ];
      await this.writeStatus('taskruns', taskRun, status);
      return undefined;
    };

    if (taskRun.spec.status === 'TaskRunCancelled')
      return finish(
        'TaskRunCancelled',
        `TaskRun "${name}" was cancelled. ${taskRun.spec.statusMessage ?? ''}`,
        'TaskRunCancelled',
      );
    if (taskRun.spec.status === 'TaskRunPending' && !status.startTime) {
      status.conditions = [
        conditionAt(
          condition,
          {
            status: 'Unknown',
            reason: 'TaskRunPending',
            message: `TaskRun "${name}" is pending`,
          },
          now,
        ),
      ];
      await this.writeStatus('taskruns', taskRun, status);
      return undefined;
    }

    let spec: TaskSpec;
    let taskName = name;
    if (taskRun.spec.taskRef) {
      const target = refTarget(taskRun.spec.taskRef, 'task', namespace);
      if ('error' in target)
        return this.failRun(
          'taskruns',
          taskRun,
          'TaskRunResolutionFailed',
          target.error,
        );
      taskName = target.name;
      const task = await this.definition<Task>(
        'tasks',
        target.namespace,
        taskName,
      );
      if (!task)
        return this.failRun(
          'taskruns',
          taskRun,
          target.resolver ? 'TaskRunResolutionFailed' : 'CouldntGetTask',
          `error when listing tasks for taskRun ${name}: tasks.tekton.dev "${taskName}" not found`,
        );
      spec = task.spec ?? {};
      const inherited = missingMetadata(taskRun.metadata, {
        labels: { ...task.metadata.labels, [LABELS.task]: taskName },
        annotations: task.metadata.annotations,
      });
      if (inherited) {
        await this.mergePatch('taskruns', namespace, name, {
          metadata: inherited,
        });
        return undefined;
      }
    } else {
      spec = taskRun.spec.taskSpec ?? {};
    }
    const errors = validateTaskSpec(spec);
    if (errors.length)
      return this.failRun(
        'taskruns',
        taskRun,
        'TaskRunValidationFailed',
        `invalid TaskSpec: ${errors.join('\n')}`,
      );
    let resolved: TaskSpec;
    try {
      resolved = resolveTaskSpec(taskRun, spec, taskName);
    } catch (error) {
      if (!(error instanceof ParamError)) throw error;
      return this.failRun(
        'taskruns',
        taskRun,
        'TaskRunValidationFailed',
        `invalid input params for task ${taskName}: ${error.message}`,
      );
    }
    status.taskSpec = spec;

    status.startTime = status.startTime ?? now.toISOString();
    const timeout =
      taskRun.spec.timeout === undefined
        ? DEFAULT_TIMEOUT_MS
        : parseDuration(taskRun.spec.timeout) ?? DEFAULT_TIMEOUT_MS;
    const left = timeout - (now.getTime() - Date.parse(status.startTime));
    if (timeout > 0 && left <= 0)
      return finish(
        'TaskRunTimeout',
        `TaskRun "${name}" failed to finish within "${formatDuration(
          timeout,
        )}"`,
        'TaskRunTimeout',
      );
    const requeue = timeout > 0 ? left : undefined;

    const podName = status.podName ?? podNameFor(taskRun);
    let pod = this.informers.pods.getByName(podName, namespace);
    if (!pod) {
      const withActions = await this.withStepActions(resolved, namespace);
      if ('error' in withActions)
        return finish('TaskRunResolutionFailed', withActions.error);
      const body = buildPod({ ...taskRun, status }, withActions.spec, {
        claimsDir: this.options.claimsDir,
        taskName: taskRun.spec.taskRef ? taskName : undefined,
        objectKeys: await this.objectKeys(taskRun, withActions.spec),
      });
      try {
        pod = await this.core.createNamespacedPod({ namespace, body });
      } catch (error) {
        if (!conflictOrExists(error)) {
          return finish(
            'PodCreationFailed',
            `failed to create task run pod "${name}": ${
              (error as Error).message
            }`,
          );
        }
        // It exists but is not in the cache yet: its informer event brings
        // the next reconcile.
        return undefined;
      }
      status.podName = podName;
    }
    const ended =
      pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const resultsLog = ended
      ? await this.readResultsLog(namespace, podName)
      : undefined;
    const observed = statusFromPod(resolved, pod, resultsLog);
    status.steps = observed.steps;
    status.sidecars = observed.sidecars;
    if (observed.results) status.results = observed.results;
    const retriesLeft =
      (taskRun.spec.retries ?? 0) - (status.retriesStatus?.length ?? 0);
    if (
      observed.done &&
      observed.condition.status === 'False' &&
      retriesLeft > 0
    ) {
      const { retriesStatus = [], ...attempt } = status;
      const failed: Condition = conditionAt(undefined, observed.condition, now);
      const retried: TaskRunStatus = {
        retriesStatus: [
          ...retriesStatus,
          {
            ...attempt,
            completionTime: now.toISOString(),
            conditions: [failed],
          },
        ],
        conditions: [
          conditionAt(
            condition,
            {
              status: 'Unknown',
              reason: 'ToBeRetried',
              message: observed.condition.message,
            },
            now,
          ),
        ],
        taskSpec: status.taskSpec,
      };
      await this.writeStatus('taskruns', taskRun, retried);
      return undefined;
    }
    const failureIgnored =
      observed.condition.status === 'False' &&
      taskRun.metadata.annotations?.[ON_ERROR_ANNOTATION] === 'continue';
    status.conditions = [
      conditionAt(
        condition,
        failureIgnored
          ? { ...observed.condition, reason: 'FailureIgnored' }
          : observed.condition,
        now,
      ),
    ];
    if (observed.done) status.completionTime = now.toISOString();
    await this.writeStatus('taskruns', taskRun, status);
    return observed.done ? undefined : requeue;
  }

  /**
   * The spec with its steps' StepActions applied, read through the API when
   * the pod is built (no informer holds them).
   */
  private async withStepActions(
    spec: TaskSpec,
    namespace: string,
  ): Promise<{ spec: TaskSpec } | { error: string }> {
    if (!spec.steps?.some(step => step.ref)) return { spec };
    const steps: Step[] = [];
    for (const step of spec.steps) {
      if (!step.ref) {
        steps.push(step);
        continue;
      }
      if (step.ref.resolver)
        return {
          error: `resolver type ${step.ref.resolver} is not enabled in the dev cluster for StepActions`,
        };
      try {
        const action = (await this.custom.getNamespacedCustomObject({
          group: TEKTON_GROUP,
          version: STEP_ACTION_VERSION,
          plural: 'stepactions',
          namespace,
          name: step.ref.name ?? '',
        })) as { spec?: StepActionSpec };
        steps.push(applyStepAction(step, action.spec ?? {}));
      } catch (error) {
        if (!notFound(error)) throw error;
        return {
          error: `stepactions.tekton.dev "${step.ref.name}" not found`,
        };
      }
    }
    return { spec: { ...spec, steps } };
  }

  /** The keys of the ConfigMaps and Secrets that workspaces and volumes project without items. */
  private async objectKeys(
    taskRun: TaskRun,
    spec: TaskSpec,
  ): Promise<Record<string, string[]>> {
    const namespace = taskRun.metadata.namespace!;
    const keys: Record<string, string[]> = {};
    const sources = [
      ...(taskRun.spec.workspaces ?? []),
      ...(spec.volumes ?? []),
    ];
    for (const { kind, name, items } of sources.flatMap(projectedObjects)) {
      const key = objectKey(kind, name);
      if (items?.length || key in keys) continue;
      try {
        if (kind === 'configMap') {
          const configMap = await this.core.readNamespacedConfigMap({
            namespace,
            name,
          });
          keys[key] = [
            ...Object.keys(configMap.data ?? {}),
            ...Object.keys(configMap.binaryData ?? {}),
          ];
        } else {
          const secret = await this.core.readNamespacedSecret({
            namespace,
            name,
          });
          // The dev cluster may keep stringData as written, where Kubernetes merges it into data.
          keys[key] = [
            ...new Set([
              ...Object.keys(secret.data ?? {}),
              ...Object.keys(secret.stringData ?? {}),
            ]),
          ];
        }
      } catch (error) {
        // A missing object leaves the volume empty.
        if (!notFound(error)) throw error;
      }
    }
    return keys;
  }

  private async readResultsLog(
    namespace: string,
    podName: string,
  ): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({
        namespace,
        name: podName,
        container: RESULTS_CONTAINER,
      });
    } catch (error) {
      if (notFound(error)) return '';
      throw error;
    }
  }

  private async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({
        namespace,
        name,
        gracePeriodSeconds: 0,
      });
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }
}
