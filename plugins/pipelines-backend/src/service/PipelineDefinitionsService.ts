import {
  ClusterAccess,
  EntityScope,
  isInScope,
  isNotFound,
  KubernetesCallContext,
  kubernetesStatusCode,
} from '@cairn/plugin-kubernetes-node';
import { mapTektonError } from '../clusters/tektonErrors';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CustomObjectsApi } from '@kubernetes/client-node';
import {
  buildParamForm,
  CreatePipelineRequest,
  Pipeline,
  PipelineDefinition,
  PipelineTargets,
  Task,
  TasksList,
  TaskSummary,
  TEKTON_API,
  toEditablePipeline,
  UpdatePipelineRequest,
  validatePipeline,
} from '@cairn/plugin-pipelines-common';
import { TektonWatches } from '../watch';
import {
  invalidPipelineError,
  labelForEntity,
  PipelineLocation,
  restoreServerOwned,
} from './pipelineDefinition';

const PIPELINES = { ...TEKTON_API, plural: 'pipelines' };

/**
 * Writes refuse fields the cluster would drop (as `kubectl apply` does by
 * default), instead of the API server's default of dropping them with a
 * warning: where Tekton's CRDs carry a schema, a field it does not have is a
 * 400 naming it rather than a Pipeline saved without it. Where they preserve
 * unknown fields, Tekton's webhook refuses them, and the portal's own check
 * (`validatePipeline`) does so first, in Tekton's wording.
 */
const STRICT = { fieldValidation: 'Strict' } as const;

/** Options of {@link PipelineDefinitionsService}. @public */
export interface PipelineDefinitionsServiceOptions {
  clusters: ClusterAccess;
  watches: TektonWatches;
  /** How long a request waits for a cluster's first list of Tasks (default 10 s). */
  syncTimeoutMs?: number;
}

/**
 * The pipeline builder's backend: an entity's Pipelines read from and
 * written to the cluster (never from the cache, so the resourceVersion an
 * update checks is current), and the Tasks a Pipeline can use. Permission
 * checks and audit are the router's; this class trusts its caller.
 * @public
 */
export class PipelineDefinitionsService {
  private readonly syncTimeoutMs: number;

  constructor(private readonly options: PipelineDefinitionsServiceOptions) {
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
  }

  /** Where the entity's Pipelines may be created. */
  targets(scope: EntityScope): PipelineTargets {
    const { clusters } = this.options;
    return {
      clusters: scope.cluster
        ? [clusters.get(scope.cluster).name]
        : clusters.list().map(c => c.name),
      ...(scope.namespace ? { namespace: scope.namespace } : {}),
    };
  }

  async getPipeline(
    scope: EntityScope,
    where: PipelineLocation,
  ): Promise<PipelineDefinition> {
    return this.definition(where.cluster, await this.read(scope, where));
  }

  async createPipeline(
    scope: EntityScope,
    request: CreatePipelineRequest,
  ): Promise<PipelineDefinition> {
    const { cluster, namespace } = request;
    const name = request.pipeline.metadata.name!;
    this.checkTarget(scope, cluster, namespace);
    const where = { cluster, namespace, name };
    const body = labelForEntity(
      scope,
      where,
      toEditablePipeline(request.pipeline),
    );
    await this.validate(where, body);
    try {
      const created = (await this.api(cluster).createNamespacedCustomObject({
        ...PIPELINES,
        namespace,
        body,
        ...STRICT,
      })) as Pipeline;
      return this.definition(cluster, created);
    } catch (error) {
      if (kubernetesStatusCode(error) === 409) {
        throw new ConflictError(
          `pipeline "${name}" already exists in namespace "${namespace}" on cluster "${cluster}"; choose another name, or open that one to edit it`,
        );
      }
      throw this.clusterError(error, where, 'create');
    }
  }

  async updatePipeline(
    scope: EntityScope,
    where: PipelineLocation,
    request: UpdatePipelineRequest,
  ): Promise<PipelineDefinition> {
    const current = await this.read(scope, where);
    const conflict = new ConflictError(
      `pipeline "${where.name}" was changed by someone else since you loaded it; reload it and apply your change again`,
    );
    const body = restoreServerOwned(
      labelForEntity(scope, where, toEditablePipeline(request.pipeline)),
      current,
      request.resourceVersion,
    );
    await this.validate(where, body);
    try {
      // A replace with the loaded resourceVersion: Kubernetes refuses it if
      // the Pipeline changed since, even between our read and this write.
      const replaced = (await this.api(
        where.cluster,
      ).replaceNamespacedCustomObject({
        ...PIPELINES,
        namespace: where.namespace,
        name: where.name,
        body,
        ...STRICT,
      })) as Pipeline;
      return this.definition(where.cluster, replaced);
    } catch (error) {
      if (kubernetesStatusCode(error) === 409) throw conflict;
      throw this.clusterError(error, where, 'update');
    }
  }

  /** The Tasks of a namespace the entity's Pipelines may be in, by name. */
  async listTasks(
    scope: EntityScope,
    cluster: string,
    namespace: string,
  ): Promise<TasksList> {
    this.checkTarget(scope, cluster, namespace);
    let tasks: Task[];
    try {
      tasks = await this.tasksOf(cluster, namespace);
    } catch (error) {
      return {
        items: [],
        clusterErrors: [{ cluster, message: (error as Error).message }],
      };
    }
    const items = tasks.map(
      (task): TaskSummary => ({
        cluster,
        namespace,
        name: task.metadata.name ?? '',
        displayName: task.spec.displayName,
        description: task.spec.description,
        params: buildParamForm(task.spec.params),
        workspaces: (task.spec.workspaces ?? []).map(w => ({
          name: w.name,
          description: w.description,
          optional: Boolean(w.optional),
        })),
        results: (task.spec.results ?? []).map(r => ({
          name: r.name,
          description: r.description,
        })),
        task,
      }),
    );
    items.sort((a, b) => (a.name < b.name ? -1 : Number(a.name > b.name)));
    // A lost cluster's Tasks are its last known ones, said to be so as the
    // runs and pipelines lists say it.
    const stale = this.options.watches.staleness(cluster, ['tasks']);
    return { items, clusterErrors: stale ? [stale] : [] };
  }

  private async tasksOf(cluster: string, namespace: string): Promise<Task[]> {
    this.options.clusters.get(cluster);
    const caches = await this.options.watches.synced(
      cluster,
      this.syncTimeoutMs,
      ['tasks'],
    );
    return caches.tasks.list({ namespace });
  }

  /** A cluster and namespace outside the entity's scope are refused, saying which are its. */
  private checkTarget(scope: EntityScope, cluster: string, namespace: string) {
    this.options.clusters.get(cluster);
    if (scope.cluster && scope.cluster !== cluster) {
      throw new InputError(
        `the Pipelines of ${scope.entityRef} are on cluster "${scope.cluster}" (its backstage.io/kubernetes-cluster annotation), not "${cluster}"`,
      );
    }
    if (scope.namespace && scope.namespace !== namespace) {
      throw new InputError(
        `the Pipelines of ${scope.entityRef} are in namespace "${scope.namespace}" (its backstage.io/kubernetes-namespace annotation), not "${namespace}"`,
      );
    }
  }

  /** The Pipeline as the cluster has it, if it belongs to the entity; else a NotFoundError. */
  private async read(
    scope: EntityScope,
    where: PipelineLocation,
  ): Promise<Pipeline> {
    const { cluster, namespace, name } = where;
    const notFound = new NotFoundError(
      `pipeline "${name}" not found in namespace "${namespace}" on cluster "${cluster}" for ${scope.entityRef} (its pipelines are those matching ${scope.selectorText})`,
    );
    // Out of scope is answered without asking the cluster, like absent.
    if (
      (scope.cluster && scope.cluster !== cluster) ||
      (scope.namespace && scope.namespace !== namespace)
    ) {
      throw notFound;
    }
    let pipeline: Pipeline;
    try {
      pipeline = (await this.api(cluster).getNamespacedCustomObject({
        ...PIPELINES,
        namespace,
        name,
      })) as Pipeline;
    } catch (error) {
      if (isNotFound(error)) throw notFound;
      throw this.clusterError(error, where, 'get');
    }
    if (!isInScope(scope, cluster, pipeline)) throw notFound;
    return pipeline;
  }

  /** Tekton's rules, with the namespace's Tasks for taskRef checks when they are at hand. */
  private async validate(where: PipelineLocation, pipeline: Pipeline) {
    const tasks = await this.tasksOf(where.cluster, where.namespace).catch(
      () => undefined,
    );
    const error = invalidPipelineError(
      where.name,
      validatePipeline(pipeline, { tasks }),
    );
    if (error) throw error;
  }

  private definition(cluster: string, pipeline: Pipeline): PipelineDefinition {
    return {
      cluster,
      namespace: pipeline.metadata.namespace ?? '',
      name: pipeline.metadata.name ?? '',
      resourceVersion: pipeline.metadata.resourceVersion ?? '',
      pipeline,
    };
  }

  private clusterError(
    error: unknown,
    where: PipelineLocation,
    verb: KubernetesCallContext['verb'],
  ): Error {
    return mapTektonError(error, {
      cluster: where.cluster,
      verb,
      resource: PIPELINES.plural,
      group: PIPELINES.group,
      namespace: where.namespace,
      name: where.name,
    });
  }

  private api(cluster: string): CustomObjectsApi {
    return this.options.clusters.client(cluster, CustomObjectsApi);
  }
}
