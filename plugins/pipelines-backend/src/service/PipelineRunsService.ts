import {
  ClusterAccess,
  EntityScope,
  isInScope,
  sortScopes,
} from '@cairn/plugin-kubernetes-node';
import { mapTektonError } from '../clusters/tektonErrors';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  buildParamForm,
  buildPipelineGraph,
  CancelMode,
  ClusterError,
  generatedRunNamePrefix,
  isCancellable,
  overlayRunStatus,
  Param,
  ParamSpec,
  Pipeline,
  PipelineRun,
  PipelinesList,
  PipelineSpec,
  PipelineSummary,
  RERUN_OF_LABEL,
  STARTED_BY_ANNOTATION,
  RunDetails,
  RunRef,
  RunsPage,
  RunTaskState,
  StartRunBody,
  TEKTON_API,
  TEKTON_API_VERSION,
  validateParamInput,
  WorkspaceBinding,
  readPipelineTrigger,
} from '@cairn/plugin-pipelines-common';
import {
  CachedObject,
  LabelSelector,
  parseLabelSelector,
  ResourceCache,
} from '@cairn/plugin-kubernetes-node';
import { taskRunsOf, TektonClusterCaches, TektonWatches } from '../watch';
import { RunQuery, RunRow, selectRuns, summarizeRun } from './runQuery';
import { ServiceAccountAllowList } from './serviceAccounts';
import {
  podTemplateVolumes,
  WorkspaceAllowList,
  WorkspaceBindingGuard,
} from './workspaceBindings';

/** Filters of the runs list besides status, pipeline, search and paging. @public */
export interface ListRunsRequest extends RunQuery {
  /** Runs of these entities only (among those the list covers). */
  entity?: string[];
  cluster?: string;
  namespace?: string;
  /** An extra label selector, ANDed with the entity's. */
  label?: string;
}

/** Options of {@link PipelineRunsService}. @public */
export interface PipelineRunsServiceOptions {
  clusters: ClusterAccess;
  watches: TektonWatches;
  /** How long a request waits for a cluster's first list (default 10 s). */
  syncTimeoutMs?: number;
  /** Service accounts users may name (`pipelines.serviceAccounts`); none by default. */
  serviceAccounts?: ServiceAccountAllowList;
  /**
   * Objects any run may bind as workspaces besides its entity's own
   * (`pipelines.workspaces`); none by default.
   */
  workspaces?: WorkspaceAllowList;
}

/**
 * Lists what an entity selects from a cache, through an index of the label
 * its selector requires a value of (built on first use for keys other than
 * `backstage.io/kubernetes-id`, e.g. `app` of `app=cart`).
 */
function listInScope<T extends PipelineRun | Pipeline>(
  cache: ResourceCache<T & CachedObject>,
  scope: EntityScope,
  namespace: string | undefined,
  extra: LabelSelector = [],
): T[] {
  const required = scope.selector.find(
    r => r.operator === 'in' && r.values.length === 1,
  );
  if (required) cache.indexLabel(required.key);
  return cache.list({ namespace, selector: [...scope.selector, ...extra] });
}

/** Labels Tekton sets itself; a new run must not copy them. */
function ownLabels(labels: Record<string, string> | undefined) {
  return Object.fromEntries(
    Object.entries(labels ?? {}).filter(
      ([key]) =>
        !key.startsWith('tekton.dev/') &&
        !key.startsWith('triggers.tekton.dev/') &&
        key !== RERUN_OF_LABEL &&
        key !== 'dashboard.tekton.dev/rerunOf',
    ),
  );
}

function paramsToInput(params: Param[] | undefined): Record<string, unknown> {
  return Object.fromEntries((params ?? []).map(p => [p.name, p.value]));
}

/**
 * Pipeline runs of catalog entities: reads are served from the shared
 * watches; changes go to the cluster as the portal's service account.
 * Permission checks and audit are the router's; this class trusts its caller.
 * @public
 */
export class PipelineRunsService {
  private readonly syncTimeoutMs: number;
  private readonly serviceAccounts: ServiceAccountAllowList;
  private readonly workspaceGuard: WorkspaceBindingGuard;

  constructor(private readonly options: PipelineRunsServiceOptions) {
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
    this.serviceAccounts =
      options.serviceAccounts ?? new ServiceAccountAllowList();
    this.workspaceGuard = new WorkspaceBindingGuard(
      options.clusters,
      options.workspaces,
    );
  }

  /**
   * The clusters to read for some entities (one list may cover many),
   * limited to `cluster` when given; entities or a filter naming a cluster
   * that is not configured are told so.
   */
  private clustersFor(
    scopes: readonly EntityScope[],
    cluster?: string,
  ): { clusters: string[]; clusterErrors: ClusterError[] } {
    const watched = this.options.watches.clusterNames();
    const clusterErrors: ClusterError[] = [];
    for (const scope of scopes) {
      if (scope.cluster && !watched.includes(scope.cluster)) {
        clusterErrors.push({
          cluster: scope.cluster,
          message: `${scope.entityRef} names cluster "${scope.cluster}" in its backstage.io/kubernetes-cluster annotation, which is not in kubernetes.clusterLocatorMethods; fix the annotation or configure the cluster`,
        });
      }
    }
    if (cluster && !watched.includes(cluster)) {
      clusterErrors.push({
        cluster,
        message: `cluster "${cluster}" is not in kubernetes.clusterLocatorMethods; filter by one of ${watched
          .map(n => `"${n}"`)
          .join(', ')}`,
      });
    }
    const wanted = new Set(
      scopes.some(s => !s.cluster) ? watched : scopes.map(s => s.cluster ?? ''),
    );
    return {
      clusters: watched.filter(
        n => wanted.has(n) && (!cluster || n === cluster),
      ),
      clusterErrors,
    };
  }

  /** Tells that a cluster's objects are its last known state, not live. */
  private reportStale(cluster: string, clusterErrors: ClusterError[]): void {
    const stale = this.options.watches.staleness(cluster);
    if (stale) clusterErrors.push(stale);
  }

  private async caches(cluster: string): Promise<TektonClusterCaches> {
    this.options.clusters.get(cluster);
    return this.options.watches.synced(cluster, this.syncTimeoutMs);
  }

  /**
   * Runs of the entities, from the watches' indexes: each entity's runs are
   * looked up by its selector; a run several entities select is listed once,
   * as the first one's (by entity ref).
   */
  async listRuns(
    scopes: readonly EntityScope[],
    request: ListRunsRequest,
  ): Promise<RunsPage> {
    let extra;
    try {
      extra = request.label ? parseLabelSelector(request.label) : [];
    } catch (error) {
      throw new InputError(
        `invalid query: label: ${JSON.stringify(
          request.label,
        )} is not a label selector: ${(error as Error).message}`,
      );
    }
    const selected = sortScopes(
      request.entity?.length
        ? scopes.filter(s => request.entity!.includes(s.entityRef))
        : scopes,
    );
    const rows: RunRow[] = [];
    // The caches' own objects: a run met again is the same object.
    const listed = new Set<PipelineRun>();
    const byCluster = new Map<string, TektonClusterCaches>();
    const { clusters, clusterErrors } = this.clustersFor(
      selected,
      request.cluster,
    );
    for (const cluster of clusters) {
      let caches: TektonClusterCaches;
      try {
        caches = await this.caches(cluster);
      } catch (error) {
        clusterErrors.push({ cluster, message: (error as Error).message });
        continue;
      }
      byCluster.set(cluster, caches);
      this.reportStale(cluster, clusterErrors);
      for (const scope of selected) {
        if (scope.cluster && scope.cluster !== cluster) continue;
        // A namespace outside the entity's own matches nothing.
        if (
          scope.namespace &&
          request.namespace &&
          scope.namespace !== request.namespace
        ) {
          continue;
        }
        for (const run of listInScope(
          caches.pipelineRuns,
          scope,
          request.namespace ?? scope.namespace,
          extra,
        )) {
          if (listed.has(run)) continue;
          listed.add(run);
          rows.push({ entityRef: scope.entityRef, cluster, run });
        }
      }
    }
    const now = new Date();
    const page = selectRuns(rows, request, now);
    return {
      ...page,
      items: page.items.map(({ entityRef, cluster, run }) =>
        summarizeRun(
          entityRef,
          cluster,
          run,
          taskRunsOf(byCluster.get(cluster)!, run),
          now,
        ),
      ),
      clusterErrors,
    };
  }

  /** The run if it belongs to the entity, else a NotFoundError. */
  private async findRun(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<{ caches: TektonClusterCaches; run: PipelineRun }> {
    const caches = await this.caches(cluster);
    const run = caches.pipelineRuns.get(namespace, name);
    if (!run || !isInScope(scope, cluster, run)) {
      throw new NotFoundError(
        `pipeline run "${name}" not found in namespace "${namespace}" on cluster "${cluster}" for ${scope.entityRef} (its runs are those matching ${scope.selectorText})`,
      );
    }
    return { caches, run };
  }

  private pipelineSpecOf(
    caches: TektonClusterCaches,
    run: PipelineRun,
  ): PipelineSpec | undefined {
    if (run.status?.pipelineSpec) return run.status.pipelineSpec;
    if (run.spec.pipelineSpec) return run.spec.pipelineSpec;
    const ref = run.spec.pipelineRef?.name;
    return ref
      ? caches.pipelines.get(run.metadata.namespace ?? '', ref)?.spec
      : undefined;
  }

  async getRun(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<RunDetails> {
    const { caches, run } = await this.findRun(scope, cluster, namespace, name);
    const taskRuns = taskRunsOf(caches, run);
    const spec = this.pipelineSpecOf(caches, run);
    const graph = spec ? buildPipelineGraph(spec) : undefined;
    const tasks: Record<string, RunTaskState> = {};
    if (graph) {
      const overlay = overlayRunStatus(graph, run, taskRuns);
      for (const [task, { runs, ...state }] of Object.entries(overlay)) {
        tasks[task] = {
          ...state,
          taskRuns: runs.map(r => r.metadata.name ?? ''),
        };
      }
    }
    return {
      summary: summarizeRun(scope.entityRef, cluster, run, taskRuns),
      run,
      taskRuns,
      graph,
      tasks,
      paramForm: buildParamForm(spec?.params, run.spec.params),
      clusterErrors: [this.options.watches.staleness(cluster)].filter(
        (e): e is ClusterError => e !== undefined,
      ),
    };
  }

  /**
   * The entities' Pipelines, sorted by cluster, namespace and name; one
   * several entities select is listed once, as the first one's.
   */
  async listPipelines(scopes: readonly EntityScope[]): Promise<PipelinesList> {
    const items: PipelineSummary[] = [];
    const listed = new Set<Pipeline>();
    const selected = sortScopes(scopes);
    const { clusters, clusterErrors } = this.clustersFor(selected);
    for (const cluster of clusters) {
      let caches: TektonClusterCaches;
      try {
        caches = await this.caches(cluster);
      } catch (error) {
        clusterErrors.push({ cluster, message: (error as Error).message });
        continue;
      }
      this.reportStale(cluster, clusterErrors);
      for (const scope of selected) {
        if (scope.cluster && scope.cluster !== cluster) continue;
        for (const pipeline of listInScope(
          caches.pipelines,
          scope,
          scope.namespace,
        )) {
          if (listed.has(pipeline)) continue;
          listed.add(pipeline);
          const namespace = pipeline.metadata.namespace ?? '';
          items.push({
            entityRef: scope.entityRef,
            cluster,
            namespace,
            name: pipeline.metadata.name ?? '',
            displayName: pipeline.spec.displayName,
            description: pipeline.spec.description,
            params: buildParamForm(pipeline.spec.params),
            workspaces: (pipeline.spec.workspaces ?? []).map(w => ({
              name: w.name,
              description: w.description,
              optional: Boolean(w.optional),
            })),
            graph: buildPipelineGraph(pipeline.spec),
            serviceAccounts: this.serviceAccounts.allowedIn(namespace),
            trigger: readPipelineTrigger(pipeline.metadata.annotations),
          });
        }
      }
    }
    const key = (p: PipelineSummary) => `${p.cluster}/${p.namespace}/${p.name}`;
    items.sort((a, b) => (key(a) < key(b) ? -1 : Number(key(a) > key(b))));
    return { items, clusterErrors };
  }

  private api(cluster: string): CustomObjectsApi {
    return this.options.clusters.client(cluster, CustomObjectsApi);
  }

  private validateParams(
    specs: ParamSpec[] | undefined,
    input: Record<string, unknown>,
  ): Param[] {
    const { params, errors } = validateParamInput(specs, input);
    if (errors.length) {
      throw new InputError(
        `invalid params: ${errors.map(e => e.message).join('; ')}`,
      );
    }
    return params;
  }

  private async create(
    cluster: string,
    namespace: string,
    body: PipelineRun,
  ): Promise<RunRef> {
    try {
      const created = (await this.api(cluster).createNamespacedCustomObject({
        ...TEKTON_API,
        plural: 'pipelineruns',
        namespace,
        body,
      })) as PipelineRun;
      return { cluster, namespace, name: created.metadata.name ?? '' };
    } catch (error) {
      throw mapTektonError(error, {
        cluster,
        verb: 'create',
        resource: 'pipelineruns',
        group: TEKTON_API.group,
        namespace,
      });
    }
  }

  /** Starts a run of one of the entity's Pipelines. */
  async startRun(
    scope: EntityScope,
    request: StartRunBody,
    startedBy: string,
  ): Promise<RunRef> {
    const { cluster, namespace } = request;
    // The run's pods act as this account: only listed ones, checked before
    // anything reaches the cluster.
    if (request.serviceAccountName) {
      this.serviceAccounts.check(namespace, request.serviceAccountName);
    }
    const caches = await this.caches(cluster);
    const pipeline: Pipeline | undefined = caches.pipelines.get(
      namespace,
      request.pipeline,
    );
    if (!pipeline || !isInScope(scope, cluster, pipeline)) {
      throw new NotFoundError(
        `pipeline "${request.pipeline}" not found in namespace "${namespace}" on cluster "${cluster}" for ${scope.entityRef} (its pipelines are those matching ${scope.selectorText})`,
      );
    }
    const params = this.validateParams(pipeline.spec.params, request.params);
    const declared = pipeline.spec.workspaces ?? [];
    const bound = new Set(request.workspaces.map(w => w.name));
    const problems: string[] = [];
    for (const w of request.workspaces) {
      if (!declared.some(d => d.name === w.name)) {
        problems.push(
          `workspace "${w.name}" is not declared by the pipeline; remove it`,
        );
      }
    }
    for (const d of declared) {
      if (!d.optional && !bound.has(d.name)) {
        problems.push(`workspace "${d.name}" is required; bind it`);
      }
    }
    if (problems.length) {
      throw new InputError(`invalid workspaces: ${problems.join('; ')}`);
    }
    // In a namespace teams share, a run mounts only its entity's objects
    // (or listed ones), never another team's Secret.
    await this.workspaceGuard.check(
      scope,
      cluster,
      namespace,
      request.workspaces as WorkspaceBinding[],
    );
    const body: PipelineRun = {
      apiVersion: TEKTON_API_VERSION,
      kind: 'PipelineRun',
      metadata: {
        generateName: generatedRunNamePrefix(request.pipeline),
        namespace,
        labels: ownLabels(pipeline.metadata.labels),
        annotations: { [STARTED_BY_ANNOTATION]: startedBy },
      },
      spec: {
        pipelineRef: { name: request.pipeline },
        ...(params.length ? { params } : {}),
        ...(request.workspaces.length
          ? { workspaces: request.workspaces as WorkspaceBinding[] }
          : {}),
        ...(request.timeouts ? { timeouts: request.timeouts } : {}),
        ...(request.serviceAccountName
          ? {
              taskRunTemplate: {
                serviceAccountName: request.serviceAccountName,
              },
            }
          : {}),
        ...(request.pending ? { status: 'PipelineRunPending' as const } : {}),
      },
    };
    return this.create(cluster, namespace, body);
  }

  /** Starts a copy of a run, with some params changed. */
  async rerun(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    paramChanges: Record<string, unknown>,
    startedBy: string,
  ): Promise<RunRef> {
    const { caches, run } = await this.findRun(scope, cluster, namespace, name);
    // The copy keeps the original's service accounts only while they are
    // still allowed; otherwise the rerun is refused rather than silently run
    // as the namespace's default account: a run quietly acting as someone
    // else would differ from the one it repeats (and fail or succeed for
    // other reasons), and a run started outside the portal with any account
    // must not become a way to reuse that account. Start a new run instead.
    const accounts = [
      run.spec.taskRunTemplate?.serviceAccountName,
      ...(run.spec.taskRunSpecs ?? []).map(t => t.serviceAccountName),
    ].filter((a): a is string => typeof a === 'string' && a !== '');
    for (const account of new Set(accounts)) {
      this.serviceAccounts.check(
        namespace,
        account,
        `run "${name}" used a service account that may no longer be chosen, so it cannot be rerun; start a new run instead: `,
      );
    }
    // The copy binds and mounts what the original did (workspaces and pod
    // template volumes), which may have been set outside the portal: the
    // same rule as for a new run.
    await this.workspaceGuard.check(
      scope,
      cluster,
      namespace,
      run.spec.workspaces ?? [],
      `run "${name}" cannot be rerun: `,
      podTemplateVolumes(run.spec),
    );
    const ref = run.spec.pipelineRef?.name;
    let specs: ParamSpec[] | undefined;
    if (ref) {
      const pipeline = caches.pipelines.get(namespace, ref);
      if (!pipeline) {
        throw new NotFoundError(
          `pipeline "${ref}" of run "${name}" no longer exists in namespace "${namespace}" on cluster "${cluster}"; recreate it to rerun`,
        );
      }
      specs = pipeline.spec.params;
    } else {
      specs = run.spec.pipelineSpec?.params;
    }
    const params = this.validateParams(specs, {
      ...paramsToInput(run.spec.params),
      ...paramChanges,
    });
    const { status: _status, params: _params, ...spec } = run.spec;
    const body: PipelineRun = {
      apiVersion: TEKTON_API_VERSION,
      kind: 'PipelineRun',
      metadata: {
        generateName: generatedRunNamePrefix(ref ?? name),
        namespace,
        labels: { ...ownLabels(run.metadata.labels), [RERUN_OF_LABEL]: name },
        annotations: { [STARTED_BY_ANNOTATION]: startedBy },
      },
      spec: { ...spec, ...(params.length ? { params } : {}) },
    };
    return this.create(cluster, namespace, body);
  }

  /** Cancels or stops a run in one of Tekton's three modes. */
  async cancel(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    mode: CancelMode,
  ): Promise<void> {
    const { run } = await this.findRun(scope, cluster, namespace, name);
    if (!isCancellable(run)) {
      throw new ConflictError(
        `pipeline run "${name}" has already finished; there is nothing to cancel`,
      );
    }
    await this.patchRun(
      cluster,
      namespace,
      name,
      { spec: { status: mode } },
      PatchStrategy.MergePatch,
    );
  }

  /** Starts a run held with `spec.status: PipelineRunPending`. */
  async startPending(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<void> {
    const { run } = await this.findRun(scope, cluster, namespace, name);
    if (run.spec.status !== 'PipelineRunPending') {
      throw new ConflictError(
        `pipeline run "${name}" is not pending (spec.status is ${
          run.spec.status ? `"${run.spec.status}"` : 'not set'
        }); there is nothing to start`,
      );
    }
    await this.patchRun(
      cluster,
      namespace,
      name,
      // The test makes a concurrent change (a cancel) fail, not be lost.
      [
        { op: 'test', path: '/spec/status', value: 'PipelineRunPending' },
        { op: 'remove', path: '/spec/status' },
      ],
      PatchStrategy.JsonPatch,
    );
  }

  private async patchRun(
    cluster: string,
    namespace: string,
    name: string,
    body: object,
    strategy: PatchStrategy,
  ): Promise<void> {
    try {
      await this.api(cluster).patchNamespacedCustomObject(
        { ...TEKTON_API, plural: 'pipelineruns', namespace, name, body },
        setHeaderOptions('Content-Type', strategy),
      );
    } catch (error) {
      throw mapTektonError(error, {
        cluster,
        verb: 'patch',
        resource: 'pipelineruns',
        group: TEKTON_API.group,
        namespace,
        name,
      });
    }
  }

  /** Deletes a run; Kubernetes deletes its TaskRuns and pods with it. */
  async deleteRun(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<void> {
    await this.findRun(scope, cluster, namespace, name);
    try {
      await this.api(cluster).deleteNamespacedCustomObject({
        ...TEKTON_API,
        plural: 'pipelineruns',
        namespace,
        name,
        propagationPolicy: 'Background',
      });
    } catch (error) {
      throw mapTektonError(error, {
        cluster,
        verb: 'delete',
        resource: 'pipelineruns',
        group: TEKTON_API.group,
        namespace,
        name,
      });
    }
  }
}
