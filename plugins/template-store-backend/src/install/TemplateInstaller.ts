import { ConflictError, InputError } from '@backstage/errors';
import {
  ClusterAccess,
  EntityScope,
  isInScope,
  isNotFound,
  KubernetesCallContext,
  mapKubernetesError,
  selectorLabels,
} from '@cairn/plugin-kubernetes-node';
import {
  ClusterTemplate,
  InstallResult,
  InstallTargets,
  installedFrom,
  templateKey,
  templateObject,
  TemplateVersionDetail,
} from '@cairn/plugin-template-store-common';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { clusterObjectTemplateYaml } from '../publish/clusterTemplate';
import { installDifference } from './installDiff';

type Json = Record<string, any>;

/** Where to install, and how. */
export interface InstallTarget {
  cluster: string;
  namespace: string;
  dryRun: boolean;
  /** The resourceVersion of the existing object the caller agreed to replace. */
  replace?: string;
}

const PLURALS = {
  Task: 'tasks',
  Pipeline: 'pipelines',
  StepAction: 'stepactions',
} as const;

/**
 * Installs a template version into a namespace of a cluster as the Tekton
 * catalog's READMEs do (`kubectl apply` of the YAML, labelled
 * `app.kubernetes.io/version`), through the cluster's API as the portal's
 * service account: creates it, leaves it if the same object is there, and
 * replaces a different one only when the caller saw it (its
 * resourceVersion) and said so. Every write is first sent as a dry run, so
 * a preview shows what the cluster would store, defaults and admission
 * included. Permission checks are the caller's (AuthorizedTemplateStoreService).
 */
export class TemplateInstaller {
  constructor(private readonly clusters: ClusterAccess) {}

  /** The clusters and namespace an entity's installs may go to. */
  targets(scope: EntityScope): InstallTargets {
    return {
      clusters: scope.cluster
        ? [this.clusters.get(scope.cluster).name]
        : this.clusters.list().map(c => c.name),
      ...(scope.namespace ? { namespace: scope.namespace } : {}),
    };
  }

  async install(
    version: TemplateVersionDetail,
    scope: EntityScope,
    target: InstallTarget,
  ): Promise<InstallResult> {
    const { cluster, namespace } = target;
    this.checkTarget(scope, cluster, namespace);
    const desired = templateObject(version.yaml, version, {
      namespace,
      labels: selectorLabels(scope.selector),
    });
    const [group, apiVersion] = String(desired.apiVersion).split('/');
    const call = {
      group,
      version: apiVersion,
      namespace,
      plural: PLURALS[version.kind],
    };
    const context = (
      verb: KubernetesCallContext['verb'],
    ): KubernetesCallContext => ({
      cluster,
      verb,
      resource: call.plural,
      group,
      namespace,
      name: version.name,
      notServedHint: `is Tekton Pipelines${
        version.minPipelinesVersion ? ` ${version.minPipelinesVersion}+` : ''
      } installed?`,
    });
    const api = this.clusters.client(cluster, CustomObjectsApi);
    const existing = await this.read(api, call, version.name, context);
    const result = (
      outcome: InstallResult['outcome'],
      object: Json,
      difference?: { differs: boolean; diff: string },
    ): InstallResult => ({
      outcome,
      cluster,
      namespace,
      kind: version.kind,
      name: version.name,
      version: version.version,
      object,
      ...(existing && difference
        ? {
            existing: {
              resourceVersion: existing.metadata.resourceVersion,
              installedFrom: installedFrom(existing.metadata),
              ...difference,
            },
          }
        : {}),
    });

    if (!existing) {
      const created = await this.write(api, call, desired, context, true);
      if (target.dryRun) return result('preview', created);
      return result(
        'created',
        await this.write(api, call, desired, context, false),
      );
    }

    const replacement = {
      ...desired,
      metadata: {
        ...desired.metadata,
        resourceVersion: existing.metadata.resourceVersion,
      },
    };
    // What the cluster would store, defaults included, against what it has.
    const wouldStore = await this.write(api, call, replacement, context, true);
    const difference = installDifference(
      existing,
      wouldStore,
      `${version.kind} ${version.name}`,
    );
    if (target.dryRun) return result('preview', wouldStore, difference);
    if (!difference.differs) return result('unchanged', existing, difference);
    this.checkReplace(scope, cluster, existing, version, target);
    return result(
      'replaced',
      await this.write(api, call, replacement, context, false),
      difference,
    );
  }

  /**
   * A Task or Pipeline in a namespace of the entity, as template YAML to
   * publish (read through the cluster's API, not a cache: what is there now).
   */
  async clusterTemplate(
    scope: EntityScope,
    where: {
      cluster: string;
      namespace: string;
      kind: 'Task' | 'Pipeline';
      name: string;
    },
  ): Promise<ClusterTemplate> {
    const { cluster, namespace, kind, name } = where;
    this.checkTarget(scope, cluster, namespace);
    const plural = PLURALS[kind];
    try {
      const object = (await this.clusters
        .client(cluster, CustomObjectsApi)
        .getNamespacedCustomObject({
          group: 'tekton.dev',
          version: 'v1',
          namespace,
          plural,
          name,
        })) as Json;
      return { kind, name, yaml: clusterObjectTemplateYaml(object) };
    } catch (error) {
      throw mapKubernetesError(error, {
        cluster,
        verb: 'get',
        resource: plural,
        group: 'tekton.dev',
        namespace,
        name,
        notServedHint: 'is Tekton Pipelines installed?',
      });
    }
  }

  /** A cluster and namespace outside the entity's are refused, saying which are its. */
  private checkTarget(scope: EntityScope, cluster: string, namespace: string) {
    this.clusters.get(cluster);
    if (scope.cluster && scope.cluster !== cluster) {
      throw new InputError(
        `${scope.entityRef} is on cluster "${scope.cluster}" (its backstage.io/kubernetes-cluster annotation), not "${cluster}"`,
      );
    }
    if (scope.namespace && scope.namespace !== namespace) {
      throw new InputError(
        `${scope.entityRef} is in namespace "${scope.namespace}" (its backstage.io/kubernetes-namespace annotation), not "${namespace}"`,
      );
    }
  }

  /**
   * Replacing needs the caller to have seen the object (its resourceVersion
   * from a preview), and the object not to be another entity's.
   */
  private checkReplace(
    scope: EntityScope,
    cluster: string,
    existing: Json,
    version: TemplateVersionDetail,
    target: InstallTarget,
  ) {
    const what = `${version.kind} "${version.name}" in namespace "${target.namespace}" on cluster "${cluster}"`;
    const from = installedFrom(existing.metadata);
    const labels: Record<string, string> = existing.metadata.labels ?? {};
    const anotherEntitys = Object.keys(selectorLabels(scope.selector)).some(
      key => labels[key] !== undefined,
    );
    if (
      anotherEntitys &&
      !isInScope(scope, cluster, existing as { metadata: Json })
    ) {
      throw new ConflictError(
        `${what} belongs to another entity (its labels do not match ${scope.selectorText}, the selector of ${scope.entityRef}); install under another name or ask its owners`,
      );
    }
    if (target.replace === undefined) {
      throw new ConflictError(
        `${what} already exists (${
          from
            ? `installed from ${templateKey(from)} ${from.version}`
            : 'not installed from the store'
        }) and differs from ${
          version.version
        }; preview the install to see how, then confirm replacing it`,
      );
    }
    if (target.replace !== existing.metadata.resourceVersion) {
      throw new ConflictError(
        `${what} changed since the preview (resourceVersion ${target.replace}, now ${existing.metadata.resourceVersion}); preview again`,
      );
    }
  }

  private async read(
    api: CustomObjectsApi,
    call: { group: string; version: string; namespace: string; plural: string },
    name: string,
    context: (verb: KubernetesCallContext['verb']) => KubernetesCallContext,
  ): Promise<Json | undefined> {
    try {
      return (await api.getNamespacedCustomObject({ ...call, name })) as Json;
    } catch (error) {
      // A 404 naming the object: absent. One naming no object: the kind is not served.
      if (isNotFound(error) && isObjectNotFound(error)) return undefined;
      throw mapKubernetesError(error, context('get'));
    }
  }

  /** Creates the object, or replaces it when it carries a resourceVersion. */
  private async write(
    api: CustomObjectsApi,
    call: { group: string; version: string; namespace: string; plural: string },
    object: Json,
    context: (verb: KubernetesCallContext['verb']) => KubernetesCallContext,
    dryRun: boolean,
  ): Promise<Json> {
    const replace = object.metadata.resourceVersion !== undefined;
    try {
      const options = {
        ...call,
        body: object,
        ...(dryRun ? { dryRun: 'All' } : {}),
      };
      return (
        replace
          ? await api.replaceNamespacedCustomObject({
              ...options,
              name: object.metadata.name,
            })
          : await api.createNamespacedCustomObject(options)
      ) as Json;
    } catch (error) {
      throw mapKubernetesError(error, context(replace ? 'update' : 'create'));
    }
  }
}

/** Whether a 404 is the API server's "this object is not there" (not "no such resource"). */
function isObjectNotFound(error: unknown): boolean {
  const body = (error as { body?: unknown }).body;
  let status: { reason?: string; details?: { name?: string } } | undefined;
  try {
    status = typeof body === 'string' ? JSON.parse(body) : (body as any);
  } catch {
    return false;
  }
  return status?.reason === 'NotFound' && Boolean(status.details?.name);
}
