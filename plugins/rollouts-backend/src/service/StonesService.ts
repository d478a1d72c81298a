import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import {
  ClusterAccess,
  ClusterWatches,
  EntityScope,
  isInScope,
  mapKubernetesError,
  EntityScopeMatcher,
} from '@cairn/plugin-kubernetes-node';
import {
  revisionTemplate,
  Stone,
  STONE_GROUP,
  STONE_PLURAL,
  STONE_VERSION,
  StoneStage,
} from '@cairn/operators-api';
import {
  actionRefusal,
  ApproveStageRequest,
  ClusterError,
  RolloutAction,
  RollbackRequest,
  StartUpdateRequest,
  StoneActionRequest,
  StoneApproval,
  StoneDetail,
  StoneList,
  StoneRef,
  StoneSummary,
  summarizeStone,
  toStonePod,
  toStoneRevision,
} from '@cairn/plugin-rollouts-common';
import { ApprovalRecord, ApprovalStore } from '../database/ApprovalStore';
import {
  CachedStone,
  DETAIL_RESOURCES,
  LIST_RESOURCES,
  ownedBy,
  StoneCaches,
  stoneCaches,
} from './stoneResources';
import {
  pausePatch,
  stagePatch,
  StonePatch,
  templatePatch,
  templateWithImages,
} from './stonePatches';

/** Options of {@link StonesService}. */
export interface StonesServiceOptions {
  clusters: ClusterAccess;
  watches: ClusterWatches;
  approvals: ApprovalStore;
  /** Node label of a pod's rack (default `topology.cairn.dev/rack`). */
  rackLabel?: string;
  /** How long a request waits for a cluster's first list (default 10 s). */
  syncTimeoutMs?: number;
}

/** Who acts, for the approval history. */
export interface Actor {
  userRef: string;
}

const STONE_API = {
  group: STONE_GROUP,
  version: STONE_VERSION,
  plural: STONE_PLURAL,
};

/** How often a write is tried when only the operator's status writes get in its way. */
const PATCH_ATTEMPTS = 10;

const STALE_VIEW =
  'the Stone changed since you loaded it (someone approved, updated or the operator moved on); reload it and decide again';

const toApproval = (record: ApprovalRecord): StoneApproval => ({
  stage: record.stage as StoneStage,
  revision: record.revision,
  approvedBy: record.approvedBy,
  approvedAt: record.approvedAt.toISOString(),
  ...(record.comment ? { comment: record.comment } : {}),
  forced: record.forced,
});

/**
 * The Stones of catalog entities, read from the shared watches (no cluster
 * call per page view), and the actions on them. Each action is one JSON
 * merge patch of the Stone's spec through the Kubernetes API as the portal's
 * service account, carrying the resourceVersion the user decided on: a
 * Stone changed meanwhile answers 409 and nothing is changed. Permission
 * checks are not made here but in {@link AuthorizedStonesService}.
 */
export class StonesService {
  private readonly syncTimeoutMs: number;

  constructor(private readonly options: StonesServiceOptions) {
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
  }

  private caches(cluster: string): StoneCaches {
    return stoneCaches(this.options.watches, cluster);
  }

  /** Makes the shared caches of every cluster, so their watches run from the start. */
  watchAll(): void {
    for (const cluster of this.options.watches.clusterNames()) {
      this.caches(cluster);
    }
  }

  /**
   * The Stones of the given entities across the clusters their scopes
   * name; a Stone in several scopes belongs to the first by entity ref. A
   * cluster that cannot be read is reported in `clusterErrors`, with its
   * last known Stones if it had been listed.
   */
  async list(scopes: EntityScope[]): Promise<StoneList> {
    const matcher = new EntityScopeMatcher(scopes);
    const wanted = new Set(
      scopes.some(s => !s.cluster)
        ? this.options.watches.clusterNames()
        : scopes.map(s => s.cluster!),
    );
    const items: StoneSummary[] = [];
    const clusterErrors: ClusterError[] = [];
    for (const cluster of this.options.watches.clusterNames()) {
      if (!wanted.has(cluster)) continue;
      const { stones } = this.caches(cluster);
      try {
        await this.options.watches.synced(
          cluster,
          LIST_RESOURCES,
          this.syncTimeoutMs,
        );
      } catch (error) {
        clusterErrors.push({ cluster, message: (error as Error).message });
        continue;
      }
      const stale = this.options.watches.staleness(cluster, LIST_RESOURCES);
      if (stale) clusterErrors.push(stale);
      for (const stone of stones.list()) {
        const scope = matcher.match(cluster, stone);
        if (scope) {
          items.push(
            summarizeStone(stone, { cluster, entityRef: scope.entityRef }),
          );
        }
      }
    }
    items.sort(
      (a, b) =>
        a.entityRef.localeCompare(b.entityRef) ||
        a.cluster.localeCompare(b.cluster) ||
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name),
    );
    return { items, clusterErrors };
  }

  /** One Stone of the entity with its pods, revisions and approvals. */
  async get(scope: EntityScope, ref: StoneRef): Promise<StoneDetail> {
    const stone = await this.cached(scope, ref, true);
    const { pods, revisions, nodes } = this.caches(ref.cluster);
    const nodeLabels = (name?: string) =>
      name ? nodes.get('', name)?.metadata.labels : undefined;
    const clusterErrors: ClusterError[] = [];
    const stale = this.options.watches.staleness(ref.cluster, DETAIL_RESOURCES);
    if (stale) clusterErrors.push(stale);
    const approvals = stone.metadata.uid
      ? await this.options.approvals.listForStone(stone.metadata.uid)
      : [];
    return {
      summary: summarizeStone(stone, {
        cluster: ref.cluster,
        entityRef: scope.entityRef,
        stageStartedAt: stageStartedAt(stone, approvals),
      }),
      stone,
      pods: ownedBy(pods, stone)
        .map(pod =>
          toStonePod(pod, {
            stone,
            nodeLabels: nodeLabels(pod.spec?.nodeName),
            rackLabel: this.options.rackLabel,
          }),
        )
        .sort((a, b) =>
          a.group === b.group
            ? a.index - b.index
            : a.group.localeCompare(b.group),
        ),
      revisions: ownedBy(revisions, stone)
        .map(r => toStoneRevision(r, stone.metadata.name!))
        .sort((a, b) => b.revision - a.revision),
      approvals: approvals.map(toApproval).reverse(),
      clusterErrors,
    };
  }

  /** `spec.strategy` becomes the next stage; the approval is recorded. */
  async approve(
    scope: EntityScope,
    ref: StoneRef,
    request: ApproveStageRequest,
    actor: Actor,
  ): Promise<StoneSummary> {
    const action: RolloutAction = { type: 'approve', stage: request.stage };
    const { stone, patched } = await this.mutate(scope, ref, request, s => {
      this.refuseUnless(s, action, request.force);
      return stagePatch(s, request.stage);
    });
    const forced =
      !!request.force && actionRefusal(stone, action, false) !== undefined;
    await this.options.approvals.add({
      cluster: ref.cluster,
      namespace: ref.namespace,
      stone: ref.name,
      stoneUid: stone.metadata.uid!,
      stage: request.stage,
      revision: stone.status?.updateRevision ?? '',
      approvedBy: actor.userRef,
      approvedAt: new Date(),
      comment: request.comment,
      forced,
    });
    return summarizeStone(patched, {
      cluster: ref.cluster,
      entityRef: scope.entityRef,
    });
  }

  /** A staged update: the new template and `strategy: Alpha` in one patch. */
  async startUpdate(
    scope: EntityScope,
    ref: StoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneSummary> {
    return this.mutateSummary(scope, ref, request, stone => {
      this.refuseUnless(stone, { type: 'start' }, request.force);
      const { template, unknownContainers } = templateWithImages(
        request.template ?? stone.spec.template,
        request.images,
      );
      if (unknownContainers.length) {
        throw new InputError(
          `the pod template has no container ${unknownContainers
            .map(n => `"${n}"`)
            .join(', ')}; its containers are ${(template.spec?.containers ?? [])
            .map(c => `"${c.name}"`)
            .join(', ')}`,
        );
      }
      return templatePatch(stone, template, 'Alpha');
    });
  }

  /** Sets or clears `spec.paused`. */
  async setPaused(
    scope: EntityScope,
    ref: StoneRef,
    request: StoneActionRequest,
    paused: boolean,
  ): Promise<StoneSummary> {
    return this.mutateSummary(scope, ref, request, stone => {
      this.refuseUnless(
        stone,
        { type: paused ? 'pause' : 'resume' },
        request.force,
      );
      return pausePatch(stone, paused);
    });
  }

  /**
   * Every pod back to the current revision: its template, at Release (no
   * stage is left to approve once every pod runs it).
   */
  async abort(
    scope: EntityScope,
    ref: StoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary> {
    return this.mutateSummary(scope, ref, request, stone => {
      this.refuseUnless(stone, { type: 'abort' }, request.force);
      const template = this.revisionTemplateOf(
        ref,
        stone,
        stone.status!.currentRevision!,
      );
      return templatePatch(stone, template, 'Release');
    });
  }

  /** An earlier revision's template, staged again from Alpha. */
  async rollback(
    scope: EntityScope,
    ref: StoneRef,
    request: RollbackRequest,
  ): Promise<StoneSummary> {
    return this.mutateSummary(scope, ref, request, stone => {
      this.refuseUnless(
        stone,
        { type: 'rollback', revision: request.revision },
        request.force,
      );
      const template = this.revisionTemplateOf(ref, stone, request.revision);
      return templatePatch(stone, template, 'Alpha');
    });
  }

  /** The entity's Stone as the watch has it; 404 if the entity has no such Stone. */
  private async cached(
    scope: EntityScope,
    ref: StoneRef,
    detail: boolean,
  ): Promise<CachedStone> {
    await this.options.watches.synced(
      ref.cluster,
      detail ? DETAIL_RESOURCES : LIST_RESOURCES,
      this.syncTimeoutMs,
    );
    const stone = this.caches(ref.cluster).stones.get(ref.namespace, ref.name);
    if (!stone || !isInScope(scope, ref.cluster, stone)) {
      throw new NotFoundError(
        `${scope.entityRef} has no Stone "${ref.name}" in namespace "${ref.namespace}" on cluster "${ref.cluster}"`,
      );
    }
    return stone;
  }

  /**
   * The Stone as the cluster has it now, if it is the one the user decided
   * on: 409 otherwise, before anything is judged. With `generation` the spec
   * decides (status writes do not make the view stale); without it, the
   * whole object's `resourceVersion`. The patch then carries the
   * resourceVersion read here, so a change between this read and the patch
   * is still refused by the API server.
   */
  private async current(
    scope: EntityScope,
    ref: StoneRef,
    decidedOn: { resourceVersion: string; generation?: number },
  ): Promise<Stone> {
    await this.cached(scope, ref, false);
    let stone: Stone;
    try {
      stone = (await this.api(ref.cluster).getNamespacedCustomObject({
        ...STONE_API,
        namespace: ref.namespace,
        name: ref.name,
      })) as Stone;
    } catch (error) {
      throw this.mapError(error, ref, 'get');
    }
    if (!isInScope(scope, ref.cluster, stone)) {
      throw new NotFoundError(
        `${scope.entityRef} has no Stone "${ref.name}" in namespace "${ref.namespace}" on cluster "${ref.cluster}"`,
      );
    }
    const stale =
      decidedOn.generation !== undefined
        ? stone.metadata.generation !== decidedOn.generation
        : stone.metadata.resourceVersion !== decidedOn.resourceVersion;
    if (stale) throw new ConflictError(STALE_VIEW);
    return stone;
  }

  private refuseUnless(
    stone: Stone,
    action: RolloutAction,
    force: boolean | undefined,
  ): void {
    const refusal = actionRefusal(stone, action, force);
    if (refusal) throw new ConflictError(refusal);
  }

  private revisionTemplateOf(
    ref: StoneRef,
    stone: Stone,
    name: string,
  ): V1PodTemplateSpec {
    const revision = ownedBy(this.caches(ref.cluster).revisions, stone).find(
      r => r.metadata.name === name,
    );
    const template = revision && revisionTemplate(revision);
    if (!template) {
      throw new NotFoundError(
        `Stone "${ref.name}" has no revision "${name}" (ControllerRevision in namespace "${ref.namespace}" on cluster "${ref.cluster}")`,
      );
    }
    return template;
  }

  /**
   * Reads the Stone the user decided on (current), plans the patch from it
   * (refusals are thrown by `plan`) and applies it. The API server refuses
   * the patch with 409 when anything changed since the read, the operator's
   * status writes too, which come several times a second while pods move.
   * When the user's view is guarded by the generation, only a spec change
   * makes it stale, so such a conflict is read, judged and patched again
   * (as client-go's RetryOnConflict does); with a resourceVersion guard the
   * conflict is the user's answer.
   */
  private async mutate(
    scope: EntityScope,
    ref: StoneRef,
    decidedOn: { resourceVersion: string; generation?: number },
    plan: (stone: Stone) => StonePatch,
  ): Promise<{ stone: Stone; patched: Stone }> {
    for (let attempt = 1; ; attempt++) {
      const stone = await this.current(scope, ref, decidedOn);
      const body = plan(stone);
      try {
        return {
          stone,
          patched: (await this.api(ref.cluster).patchNamespacedCustomObject(
            { ...STONE_API, namespace: ref.namespace, name: ref.name, body },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )) as Stone,
        };
      } catch (error) {
        const mapped = this.mapError(error, ref, 'patch');
        const retry =
          mapped instanceof ConflictError &&
          decidedOn.generation !== undefined &&
          attempt < PATCH_ATTEMPTS;
        if (!retry) throw mapped;
      }
    }
  }

  private async mutateSummary(
    scope: EntityScope,
    ref: StoneRef,
    decidedOn: { resourceVersion: string; generation?: number },
    plan: (stone: Stone) => StonePatch,
  ): Promise<StoneSummary> {
    const { patched } = await this.mutate(scope, ref, decidedOn, plan);
    return summarizeStone(patched, {
      cluster: ref.cluster,
      entityRef: scope.entityRef,
    });
  }

  private mapError(error: unknown, ref: StoneRef, verb: 'get' | 'patch') {
    const mapped = mapKubernetesError(error, {
      cluster: ref.cluster,
      verb,
      resource: STONE_PLURAL,
      group: STONE_GROUP,
      namespace: ref.namespace,
      name: ref.name,
    });
    return mapped instanceof ConflictError
      ? new ConflictError(STALE_VIEW)
      : mapped;
  }

  private api(cluster: string): CustomObjectsApi {
    return this.options.clusters.client(cluster, CustomObjectsApi);
  }
}

/**
 * When the current stage began, if the portal approved it: the latest
 * approval of `spec.strategy` for the update revision.
 */
function stageStartedAt(
  stone: Stone,
  approvals: ApprovalRecord[],
): string | undefined {
  const approval = [...approvals]
    .reverse()
    .find(
      a =>
        a.stage === stone.spec.strategy &&
        a.revision === stone.status?.updateRevision,
    );
  return approval?.approvedAt.toISOString();
}
