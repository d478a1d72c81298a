import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { labelSelectorMatcher } from '../machinery/labels';
import { ControllerQueue, ReconcileResult } from './controllerQueue';
import {
  controllerContext,
  controllerRef,
  controllerReference,
  OwnerController,
} from './ownerControllers';
import { deepClone, jsonEqual } from './objects';
import type { ResourceRegistry } from './registry';
import type { ResourceService } from './resources';
import { revisionTemplate, syncRevisions } from './revisions';
import { ApiError } from './status';
import { isPodAvailable, isPodReady, isPodTerminal } from './podState';

/*
 * The StatefulSet controller of kube-controller-manager: pods named
 * <set>-<ordinal> with that name as hostname and the governing Service as
 * subdomain, each with its own PersistentVolumeClaims
 * <template>-<set>-<ordinal> from volumeClaimTemplates (kept or deleted on
 * scale-down and set deletion per persistentVolumeClaimRetentionPolicy);
 * OrderedReady (one pod at a time, each Running and Ready before the next,
 * removed from the highest ordinal down) or Parallel pod management; the
 * template's revisions as ControllerRevisions, rolled out by RollingUpdate
 * (highest ordinal first, down to `partition`, `maxUnavailable` at a time)
 * or on deletion of each pod (OnDelete); and the status `kubectl rollout
 * status` reads.
 */

const CONTROLLER = controllerContext('statefulset-controller');

const REVISION_LABEL = 'controller-revision-hash';
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

type Pod = any;

const isRunningAndReady = (pod: Pod) =>
  pod.status?.phase === 'Running' && isPodReady(pod);

const isAvailable = (pod: Pod, minReadySeconds: number, now: number) =>
  pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);

/** maxUnavailable as a number of pods (a percentage of replicas, rounded down, at least 1). */
export function resolveMaxUnavailable(value: unknown, replicas: number) {
  if (value === undefined || value === null) return 1;
  if (typeof value === 'number') return Math.max(1, value);
  const match = /^(\d+)%$/.exec(String(value));
  return match
    ? Math.max(1, Math.floor((Number(match[1]) * replicas) / 100))
    : 1;
}

/** How long a deleted pod's name stays free before the controller creates it again (a kubelet's PLEG relist period). */
const RECREATE_AFTER_DELETE_MS = 1_000;

export class StatefulSetController extends OwnerController {
  protected readonly queue = new ControllerQueue(key => this.sync(key));

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    resources: ResourceService,
  ) {
    super(store, registry, resources, {
      context: CONTROLLER,
      component: 'statefulset-controller',
      owner: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
    });
  }

  /** When each of the sets' pods was last deleted, by namespace/name. */
  private readonly deletedAt = new Map<string, number>();

  start(): void {
    this.follow('apps/statefulsets', e => this.queue.add(e.key));
    this.follow('/pods', e => {
      if (
        e.type === 'DELETED' &&
        controllerRef(e.object)?.kind === 'StatefulSet'
      )
        this.deletedAt.set(e.key, Date.now());
      this.queueController(e, 'StatefulSet');
    });
    this.queue.start();
  }

  /**
   * How long until a pod of this name, deleted just now, may be created
   * again. A real kubelet finds a stopped container on its next PLEG relist
   * (every second) before it removes the pod, so a client that read the old
   * pod just before (`kubectl delete` waits by a GET, then a LIST and WATCH
   * by name, for a DELETED event) sees it go before its namesake comes;
   * here the pod goes at once, and its replacement waits that second.
   */
  private recreateAfterMs(namespace: string, name: string): number {
    const key = `${namespace}/${name}`;
    const at = this.deletedAt.get(key);
    if (at === undefined) return 0;
    const wait = at + RECREATE_AFTER_DELETE_MS - Date.now();
    if (wait <= 0) this.deletedAt.delete(key);
    return Math.max(0, wait);
  }

  private claimName(set: any, template: any, ordinal: number) {
    return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
  }

  /** Creates the pod's missing claims; sets their owners per the retention policy. */
  private ensureClaims(set: any, ordinal: number, condemned: boolean) {
    const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
    const claimType = this.type('', 'persistentvolumeclaims');
    const namespace = set.metadata.namespace;
    for (const template of set.spec.volumeClaimTemplates ?? []) {
      const name = this.claimName(set, template, ordinal);
      const setOwner = {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: set.metadata.name,
        uid: set.metadata.uid,
        blockOwnerDeletion: true,
        controller: false,
      };
      const pod = this.store.get(
        '/pods',
        `${namespace}/${set.metadata.name}-${ordinal}`,
      );
      const owners = [
        ...(policy.whenDeleted === 'Delete' ? [setOwner] : []),
        ...(condemned && policy.whenScaled === 'Delete' && pod
          ? [
              {
                apiVersion: 'v1',
                kind: 'Pod',
                name: pod.metadata.name!,
                uid: pod.metadata.uid!,
                blockOwnerDeletion: true,
                controller: false,
              },
            ]
          : []),
      ];
      const existing = this.store.get(
        '/persistentvolumeclaims',
        `${namespace}/${name}`,
      );
      if (!existing) {
        if (condemned) continue;
        const { status, ...claim } = deepClone(template);
        this.resources.create(
          claimType,
          namespace,
          {
            ...claim,
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: {
              ...claim.metadata,
              name,
              namespace,
              labels: {
                ...(claim.metadata?.labels ?? {}),
                ...(set.spec.selector?.matchLabels ?? {}),
              },
              ...(owners.length ? { ownerReferences: owners } : {}),
            },
          },
          CONTROLLER,
        );
        this.event(
          set,
          'Normal',
          'SuccessfulCreate',
          `create Claim ${name} Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name} success`,
        );
        continue;
      }
      if (existing.metadata.deletionTimestamp) continue;
      // Owners other than this set and its pods stay as they are.
      const others = (existing.metadata.ownerReferences ?? []).filter(
        r =>
          r.uid !== set.metadata.uid &&
          !(r.kind === 'Pod' && r.name === `${set.metadata.name}-${ordinal}`),
      );
      const wanted = [...others, ...owners];
      if (!jsonEqual(existing.metadata.ownerReferences ?? [], wanted)) {
        const metadata: KubeObject['metadata'] = {
          ...existing.metadata,
          ownerReferences: wanted,
        };
        if (!wanted.length) delete metadata.ownerReferences;
        this.resources.write(
          claimType,
          namespace,
          name,
          '',
          existing,
          { ...existing, metadata },
          CONTROLLER,
        );
      }
    }
  }

  private createPod(set: any, ordinal: number, revision: any) {
    const template = revisionTemplate(revision);
    const name = `${set.metadata.name}-${ordinal}`;
    const spec = deepClone(template.spec ?? {});
    const claims = (set.spec.volumeClaimTemplates ?? []).map((t: any) => ({
      name: t.metadata.name,
      persistentVolumeClaim: {
        claimName: this.claimName(set, t, ordinal),
      },
    }));
    if (claims.length) {
      const claimed = new Set(claims.map((c: any) => c.name));
      spec.volumes = [
        ...(spec.volumes ?? []).filter((v: any) => !claimed.has(v.name)),
        ...claims,
      ];
    }
    spec.hostname = name;
    if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
    this.resources.create(
      this.type('', 'pods'),
      set.metadata.namespace,
      {
        metadata: {
          ...(template.metadata ?? {}),
          name,
          labels: {
            ...(template.metadata?.labels ?? {}),
            [REVISION_LABEL]: revision.metadata.name,
            [POD_NAME_LABEL]: name,
            [POD_INDEX_LABEL]: String(ordinal),
          },
          ownerReferences: [controllerReference(set, 'StatefulSet', 'apps/v1')],
        },
        spec,
      },
      CONTROLLER,
    );
    this.event(
      set,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
    );
  }

  private deletePod(set: any, pod: Pod) {
    try {
      this.resources.delete(
        this.type('', 'pods'),
        pod.metadata.namespace,
        pod.metadata.name,
        { preconditions: { uid: pod.metadata.uid } },
        CONTROLLER,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status.code === 404) return;
      throw error;
    }
    this.event(
      set,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
    );
  }

  private sync(key: string): ReconcileResult {
    const set = this.store.get('apps/statefulsets', key) as any;
    if (!set || set.metadata.deletionTimestamp) return undefined;
    const spec = set.spec;
    const matches = labelSelectorMatcher(spec.selector);
    const { all: revisions, update } = syncRevisions(
      this.resources,
      this.type('apps', 'controllerrevisions'),
      this.store,
      set,
      (hash: string) => ({ [REVISION_LABEL]: `${set.metadata.name}-${hash}` }),
      CONTROLLER,
    );
    const current =
      revisions.find(r => r.metadata.name === set.status?.currentRevision) ??
      update;
    const start = spec.ordinals?.start ?? 0;
    const replicas: number = spec.replicas ?? 1;
    const end = start + replicas;
    const ordered = spec.podManagementPolicy !== 'Parallel';
    const ordinalOf = (pod: Pod) => {
      const match = new RegExp(`^${set.metadata.name}-(\\d+)$`).exec(
        pod.metadata.name,
      );
      return match ? Number(match[1]) : -1;
    };
    const pods = this.owned('/pods', set).filter(
      p => matches(p.metadata.labels) && ordinalOf(p) >= 0,
    );
    const byOrdinal = new Map<number, Pod>(pods.map(p => [ordinalOf(p), p]));
    const revisionOf = (pod: Pod) => pod.metadata.labels?.[REVISION_LABEL];
    const strategy = spec.updateStrategy ?? { type: 'RollingUpdate' };
    const partition = strategy.rollingUpdate?.partition ?? 0;
    const currentReplicas = set.status?.currentReplicas ?? 0;
    // Which revision a missing pod is created at.
    const revisionFor = (ordinal: number) =>
      strategy.type === 'RollingUpdate' &&
      (partition ? ordinal < partition : ordinal - start < currentReplicas) &&
      current !== update
        ? current
        : update;

    let progressing = true;
    let recreateAfterMs = 0;
    for (let ordinal = start; ordinal < end && progressing; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      this.ensureClaims(set, ordinal, false);
      if (!pod) {
        const wait = this.recreateAfterMs(
          set.metadata.namespace,
          `${set.metadata.name}-${ordinal}`,
        );
        if (wait > 0)
          recreateAfterMs = recreateAfterMs
            ? Math.min(recreateAfterMs, wait)
            : wait;
        else this.createPod(set, ordinal, revisionFor(ordinal));
        if (ordered) progressing = false;
      } else if (isPodTerminal(pod) && !pod.metadata.deletionTimestamp) {
        // A failed or finished pod is replaced, under its own name.
        this.deletePod(set, pod);
        if (ordered) progressing = false;
      } else if (ordered && !isRunningAndReady(pod)) {
        progressing = false;
      }
    }

    // Scale down: the highest ordinals first, one at a time when ordered.
    const condemned = pods
      .filter(p => ordinalOf(p) < start || ordinalOf(p) >= end)
      .sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const lowerHealthy = [...byOrdinal.entries()]
      .filter(([o]) => o >= start && o < end)
      .every(([, p]) => isRunningAndReady(p));
    for (const pod of condemned) {
      if (ordered && !(progressing && lowerHealthy)) break;
      if (pod.metadata.deletionTimestamp) {
        if (ordered) break;
        continue;
      }
      this.ensureClaims(set, ordinalOf(pod), true);
      this.deletePod(set, pod);
      if (ordered) break;
    }

    // Roll the pods at ordinals from the highest down to the partition onto
    // the update revision, maxUnavailable at a time.
    if (strategy.type === 'RollingUpdate' && progressing && !condemned.length) {
      const maxUnavailable = resolveMaxUnavailable(
        strategy.rollingUpdate?.maxUnavailable,
        replicas,
      );
      const now = Date.now();
      const inScope = [...byOrdinal.entries()]
        .filter(([o]) => o >= Math.max(start, partition) && o < end)
        .sort(([a], [b]) => b - a);
      let unavailable = inScope.filter(
        ([, p]) =>
          p.metadata.deletionTimestamp ||
          !isAvailable(p, spec.minReadySeconds ?? 0, now),
      ).length;
      for (const [, pod] of inScope) {
        if (unavailable >= maxUnavailable) break;
        if (revisionOf(pod) === update.metadata.name) continue;
        if (pod.metadata.deletionTimestamp) continue;
        this.deletePod(set, pod);
        unavailable++;
      }
    }

    this.cleanupRevisions(set, revisions, current, update);
    const statusRequeue = this.updateStatus(key, current, update);
    const requeues = [
      ...(statusRequeue ? [statusRequeue.requeueAfterMs] : []),
      ...(recreateAfterMs ? [recreateAfterMs] : []),
    ];
    return requeues.length
      ? { requeueAfterMs: Math.min(...requeues) }
      : undefined;
  }

  private cleanupRevisions(
    set: any,
    revisions: any[],
    current: any,
    update: any,
  ) {
    const inUse = new Set(
      this.owned('/pods', set).map(p => p.metadata.labels?.[REVISION_LABEL]),
    );
    const removable = revisions.filter(
      r => r !== current && r !== update && !inUse.has(r.metadata.name),
    );
    const limit = set.spec.revisionHistoryLimit ?? 10;
    for (const revision of removable.slice(
      0,
      Math.max(0, removable.length - limit),
    )) {
      this.resources.delete(
        this.type('apps', 'controllerrevisions'),
        revision.metadata.namespace,
        revision.metadata.name,
        { preconditions: { uid: revision.metadata.uid } },
        CONTROLLER,
      );
    }
  }

  private updateStatus(
    key: string,
    current: any,
    update: any,
  ): ReconcileResult {
    const set = this.store.get('apps/statefulsets', key) as any;
    if (!set) return undefined;
    const pods = this.owned('/pods', set).filter(p => !isPodTerminal(p));
    const now = Date.now();
    const minReady = set.spec.minReadySeconds ?? 0;
    const replicas = pods.length;
    const ready = pods.filter(isRunningAndReady).length;
    const available = pods.filter(p => isAvailable(p, minReady, now)).length;
    // Terminating pods count as replicas, not as pods of a revision.
    const at = (revision: any) =>
      pods.filter(
        p =>
          !p.metadata.deletionTimestamp &&
          p.metadata.labels?.[REVISION_LABEL] === revision.metadata.name,
      ).length;
    const status: any = {
      observedGeneration: set.metadata.generation,
      replicas,
      readyReplicas: ready,
      currentReplicas: at(current),
      updatedReplicas: at(update),
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount: set.status?.collisionCount ?? 0,
      availableReplicas: available,
    };
    const desired = set.spec.replicas ?? 1;
    if (
      set.spec.updateStrategy?.type !== 'OnDelete' &&
      status.updatedReplicas === desired &&
      replicas === desired &&
      ready === desired
    ) {
      // The rolling update is complete: the update revision becomes current.
      status.currentRevision = status.updateRevision;
      status.currentReplicas = status.updatedReplicas;
    }
    if (
      set.spec.updateStrategy?.type === 'OnDelete' &&
      status.updatedReplicas === replicas
    ) {
      status.currentRevision = status.updateRevision;
      status.currentReplicas = status.updatedReplicas;
    }
    for (const field of ['readyReplicas', 'currentReplicas', 'updatedReplicas'])
      if (!status[field]) delete status[field];
    this.writeStatus(this.type('apps', 'statefulsets'), set, status);
    if (minReady && ready > available)
      return { requeueAfterMs: minReady * 1000 };
    return undefined;
  }
}
