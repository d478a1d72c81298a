import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { labelSelectorMatcher } from '../machinery/labels';
import { deepClone, jsonEqual, timestamp } from './objects';
import type { ResourceRegistry } from './registry';
import type { ResourceService } from './resources';
import { ControllerQueue } from './controllerQueue';
import {
  controllerContext,
  controllerReference,
  controllerRef,
  OwnerController,
} from './ownerControllers';
import { isPodAvailable, isPodReady } from './podState';

/*
 * The ReplicaSet and Deployment controllers of kube-controller-manager:
 * replica sets keep spec.replicas pods of their template (SuccessfulCreate /
 * SuccessfulDelete events); deployments own one replica set per template
 * (named <deployment>-<pod-template-hash>, with the revision annotations
 * kubectl rollout history/undo read) and roll from old to new within
 * maxSurge / maxUnavailable, or Recreate; both report status and conditions
 * as `kubectl rollout status` expects.
 */

const CONTROLLER = controllerContext('replicaset-controller');

const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits. */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The pod-template-hash label value: the template's hash, safe-encoded as Kubernetes does. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const hash = fnv32a(
    JSON.stringify(template) + (collisionCount ? String(collisionCount) : ''),
  );
  return [...String(hash)]
    .map(c => NAME_ALPHABET[c.charCodeAt(0) % NAME_ALPHABET.length])
    .join('');
}

/** maxSurge / maxUnavailable as numbers of pods (percentages of replicas: surge rounds up, unavailable down). */
export function resolveRollingUpdate(
  replicas: number,
  maxSurge: unknown,
  maxUnavailable: unknown,
) {
  const resolve = (value: unknown, roundUp: boolean) => {
    if (typeof value === 'number') return value;
    const match = /^(\d+)%$/.exec(String(value ?? '25%'));
    if (!match) return 0;
    const exact = (Number(match[1]) * replicas) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  };
  const surge = resolve(maxSurge, true);
  let unavailable = resolve(maxUnavailable, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

const isActive = (pod: any) =>
  !pod.metadata.deletionTimestamp &&
  pod.status?.phase !== 'Succeeded' &&
  pod.status?.phase !== 'Failed';

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous?: any,
) {
  const now = timestamp();
  const same = previous?.status === status;
  return {
    type,
    status,
    lastUpdateTime:
      same && previous.reason === reason ? previous.lastUpdateTime : now,
    lastTransitionTime: same ? previous.lastTransitionTime : now,
    reason,
    message,
  };
}

export class ReplicationControllers extends OwnerController {
  protected readonly queue = new ControllerQueue(key => {
    if (key.startsWith('replicaset:')) this.syncReplicaSet(key.slice(11));
    else this.syncDeployment(key.slice(11));
  });

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    resources: ResourceService,
  ) {
    super(store, registry, resources, {
      context: CONTROLLER,
      component: 'replicaset-controller',
    });
  }

  start(): void {
    this.follow('apps/deployments', e => this.enqueue(`deployment:${e.key}`));
    this.follow('apps/replicasets', e => {
      this.enqueue(`replicaset:${e.key}`);
      this.enqueueOwner('deployment', e.object, e.namespace);
    });
    this.follow('/pods', e => {
      this.enqueueOwner('replicaset', e.object, e.namespace);
      if (e.previous) this.enqueueOwner('replicaset', e.previous, e.namespace);
    });
    this.queue.start();
  }

  private enqueueOwner(
    kind: 'deployment' | 'replicaset',
    object: KubeObject,
    namespace: string,
  ) {
    const owner = controllerRef(object);
    const expected = kind === 'deployment' ? 'Deployment' : 'ReplicaSet';
    if (owner?.kind === expected)
      this.enqueue(`${kind}:${namespace}/${owner.name}`);
  }

  private enqueue(key: string, delay = 0) {
    this.queue.addAfter(key, delay);
  }

  private ownedPods(rs: KubeObject): any[] {
    return this.owned(
      '/pods',
      rs,
      labelSelectorMatcher((rs as any).spec?.selector),
    );
  }

  private syncReplicaSet(key: string) {
    const rs = this.store.get('apps/replicasets', key) as any;
    if (!rs || rs.metadata.deletionTimestamp) return;
    const pods = this.ownedPods(rs);
    const active = pods.filter(isActive);
    const desired = rs.spec?.replicas ?? 1;
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) {
        const template = deepClone(rs.spec.template ?? {});
        this.createControlledPod(rs, {
          metadata: {
            ...(template.metadata ?? {}),
            generateName: `${rs.metadata.name}-`,
            ownerReferences: [controllerReference(rs)],
          },
          spec: template.spec,
        });
      }
    } else if (active.length > desired) {
      // Unscheduled, then not ready, then newest pods go first.
      const rank = (p: any) =>
        (p.spec?.nodeName ? 0 : 2) + (isPodReady(p) ? 0 : 1);
      const victims = [...active]
        .sort(
          (a, b) =>
            rank(b) - rank(a) ||
            String(b.metadata.creationTimestamp).localeCompare(
              String(a.metadata.creationTimestamp),
            ),
        )
        .slice(0, active.length - desired);
      for (const pod of victims) this.deleteControlledPod(rs, pod);
    }
    const now = Date.now();
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const current = this.ownedPods(rs).filter(isActive);
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const status = {
      replicas: current.length,
      fullyLabeledReplicas: current.filter(p =>
        Object.entries(templateLabels).every(
          ([k, v]) => p.metadata.labels?.[k] === v,
        ),
      ).length,
      readyReplicas: current.filter(isPodReady).length,
      availableReplicas: current.filter(p => isPodAvailable(p, minReady, now))
        .length,
      observedGeneration: rs.metadata.generation,
    } as Record<string, number>;
    for (const field of [
      'fullyLabeledReplicas',
      'readyReplicas',
      'availableReplicas',
    ]) {
      if (!status[field]) delete status[field];
    }
    this.writeStatus(
      this.type('apps', 'replicasets'),
      this.store.get('apps/replicasets', key)!,
      status,
    );
    if (minReady && status.readyReplicas > status.availableReplicas)
      this.enqueue(`replicaset:${key}`, minReady * 1000);
  }

  private syncDeployment(key: string) {
    const deployment = this.store.get('apps/deployments', key) as any;
    if (!deployment || deployment.metadata.deletionTimestamp) return;
    const namespace = deployment.metadata.namespace;
    const rsType = this.type('apps', 'replicasets');
    const owned = this.owned('apps/replicasets', deployment);
    const withoutHash = (template: any) => {
      const copy = deepClone(template ?? {});
      if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
      return copy;
    };
    const template = deployment.spec.template;
    let newRs = owned.find(rs =>
      jsonEqual(withoutHash(rs.spec.template), template),
    );
    const olds = owned.filter(rs => rs !== newRs);
    const revisionOf = (rs: any) =>
      Number(rs.metadata.annotations?.[REVISION] ?? 0);
    const maxOldRevision = Math.max(0, ...olds.map(revisionOf));
    const replicas: number = deployment.spec.replicas ?? 1;
    const paused = !!deployment.spec.paused;

    if (!newRs && !paused) {
      const hash = podTemplateHash(template, deployment.status?.collisionCount);
      const labels = {
        ...(template.metadata?.labels ?? {}),
        [HASH_LABEL]: hash,
      };
      const strategy = deployment.spec.strategy ?? {};
      const startReplicas =
        strategy.type === 'Recreate' ||
        olds.every(rs => !(rs.spec.replicas ?? 0))
          ? replicas
          : 0;
      newRs = this.resources.create(
        rsType,
        namespace,
        {
          metadata: {
            name: `${deployment.metadata.name}-${hash}`,
            labels,
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(replicas),
              'deployment.kubernetes.io/max-replicas': String(
                replicas +
                  resolveRollingUpdate(
                    replicas,
                    strategy.rollingUpdate?.maxSurge,
                    strategy.rollingUpdate?.maxUnavailable,
                  ).surge,
              ),
              [REVISION]: String(maxOldRevision + 1),
              ...(deployment.metadata.annotations?.[
                'kubernetes.io/change-cause'
              ]
                ? {
                    'kubernetes.io/change-cause':
                      deployment.metadata.annotations[
                        'kubernetes.io/change-cause'
                      ],
                  }
                : {}),
            },
            ownerReferences: [controllerReference(deployment)],
          },
          spec: {
            replicas:
              strategy.type === 'Recreate' && olds.some(rs => rs.spec.replicas)
                ? 0
                : startReplicas,
            minReadySeconds: deployment.spec.minReadySeconds,
            selector: {
              ...deployment.spec.selector,
              matchLabels: {
                ...(deployment.spec.selector?.matchLabels ?? {}),
                [HASH_LABEL]: hash,
              },
            },
            template: {
              ...template,
              metadata: { ...(template.metadata ?? {}), labels },
            },
          },
        },
        CONTROLLER,
      );
      if (newRs!.spec.replicas) {
        this.event(
          deployment,
          'Normal',
          'ScalingReplicaSet',
          `Scaled up replica set ${newRs!.metadata.name} from 0 to ${
            newRs!.spec.replicas
          }`,
          'deployment-controller',
        );
      }
    } else if (newRs && revisionOf(newRs) <= maxOldRevision) {
      // Rolling back to an older template makes its replica set the newest revision.
      const annotations = {
        ...newRs.metadata.annotations,
        [REVISION]: String(maxOldRevision + 1),
      };
      newRs = this.resources.write(
        rsType,
        namespace,
        newRs.metadata.name,
        '',
        newRs,
        { ...newRs, metadata: { ...newRs.metadata, annotations } },
        CONTROLLER,
      );
    }

    if (newRs) this.annotateRevision(key, revisionOf(newRs));
    if (newRs && !paused) this.rollout(deployment, newRs, olds);
    this.cleanupHistory(deployment, olds);
    this.updateDeploymentStatus(key, newRs);
  }

  /** The deployment carries the revision of its newest replica set, as kubectl rollout undo expects. */
  private annotateRevision(key: string, revision: number) {
    const deployment = this.store.get('apps/deployments', key)!;
    if (deployment.metadata.annotations?.[REVISION] === String(revision))
      return;
    const annotations = {
      ...deployment.metadata.annotations,
      [REVISION]: String(revision),
    };
    this.resources.write(
      this.type('apps', 'deployments'),
      deployment.metadata.namespace!,
      deployment.metadata.name!,
      '',
      deployment,
      { ...deployment, metadata: { ...deployment.metadata, annotations } },
      CONTROLLER,
    );
  }

  private scale(deployment: any, rs: any, to: number) {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return;
    const latest = this.store.get(
      'apps/replicasets',
      `${rs.metadata.namespace}/${rs.metadata.name}`,
    )!;
    const next = deepClone(latest) as any;
    next.spec.replicas = to;
    next.metadata.annotations = {
      ...next.metadata.annotations,
      'deployment.kubernetes.io/desired-replicas': String(
        deployment.spec.replicas ?? 1,
      ),
    };
    this.resources.write(
      this.type('apps', 'replicasets'),
      rs.metadata.namespace,
      rs.metadata.name,
      '',
      latest,
      next,
      CONTROLLER,
    );
    this.event(
      deployment,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${to > from ? 'up' : 'down'} replica set ${
        rs.metadata.name
      } from ${from} to ${to}`,
      'deployment-controller',
    );
  }

  private rollout(deployment: any, newRs: any, olds: any[]) {
    const replicas: number = deployment.spec.replicas ?? 1;
    const strategy = deployment.spec.strategy ?? {};
    const activeOlds = olds.filter(rs => (rs.spec.replicas ?? 0) > 0);
    if (strategy.type === 'Recreate') {
      for (const rs of activeOlds) this.scale(deployment, rs, 0);
      const oldPodsLeft = olds.some(rs => (rs.status?.replicas ?? 0) > 0);
      if (!oldPodsLeft) this.scale(deployment, newRs, replicas);
      return;
    }
    const { surge, unavailable } = resolveRollingUpdate(
      replicas,
      strategy.rollingUpdate?.maxSurge,
      strategy.rollingUpdate?.maxUnavailable,
    );
    if (!activeOlds.length) {
      this.scale(deployment, newRs, replicas);
      return;
    }
    // Scale up the new replica set as far as maxSurge allows.
    const total = [newRs, ...activeOlds].reduce(
      (sum, rs) => sum + (rs.spec.replicas ?? 0),
      0,
    );
    const newReplicas = newRs.spec.replicas ?? 0;
    if (newReplicas < replicas && total < replicas + surge) {
      this.scale(
        deployment,
        newRs,
        Math.min(replicas, newReplicas + replicas + surge - total),
      );
    }
    // Scale down old ones as far as maxUnavailable allows.
    const available = [newRs, ...activeOlds].reduce(
      (sum, rs) => sum + (rs.status?.availableReplicas ?? 0),
      0,
    );
    let canRemove = available - (replicas - unavailable);
    // Old pods that are not available do not count against availability.
    for (const rs of [...activeOlds].sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(
        String(b.metadata.creationTimestamp),
      ),
    )) {
      const current = rs.spec.replicas ?? 0;
      const unhealthy = current - (rs.status?.availableReplicas ?? 0);
      const removable = Math.min(
        current,
        Math.max(0, canRemove) + Math.max(0, unhealthy),
      );
      if (removable <= 0) continue;
      this.scale(deployment, rs, current - removable);
      canRemove -= Math.max(0, removable - Math.max(0, unhealthy));
    }
  }

  private cleanupHistory(deployment: any, olds: any[]) {
    const limit = deployment.spec.revisionHistoryLimit ?? 10;
    const idle = olds
      .filter(
        rs =>
          !(rs.spec.replicas ?? 0) &&
          !(rs.status?.replicas ?? 0) &&
          !rs.metadata.deletionTimestamp,
      )
      .sort(
        (a, b) =>
          Number(a.metadata.annotations?.[REVISION] ?? 0) -
          Number(b.metadata.annotations?.[REVISION] ?? 0),
      );
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      this.resources.delete(
        this.type('apps', 'replicasets'),
        rs.metadata.namespace,
        rs.metadata.name,
        { preconditions: { uid: rs.metadata.uid } },
        CONTROLLER,
      );
    }
  }

  private updateDeploymentStatus(key: string, newRs: any) {
    const deployment = this.store.get('apps/deployments', key) as any;
    if (!deployment) return;
    const owned = this.owned('apps/replicasets', deployment);
    const sum = (field: string) =>
      owned.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);
    const replicas: number = deployment.spec.replicas ?? 1;
    const strategy = deployment.spec.strategy ?? {};
    const { unavailable } =
      strategy.type === 'Recreate'
        ? { unavailable: replicas }
        : resolveRollingUpdate(
            replicas,
            strategy.rollingUpdate?.maxSurge,
            strategy.rollingUpdate?.maxUnavailable,
          );
    const latestNew =
      newRs &&
      (this.store.get(
        'apps/replicasets',
        `${newRs.metadata.namespace}/${newRs.metadata.name}`,
      ) as any);
    const updated = latestNew?.status?.replicas ?? 0;
    const available = sum('availableReplicas');
    const totalReplicas = sum('replicas');
    const previous = (type: string) =>
      (deployment.status?.conditions ?? []).find((c: any) => c.type === type);
    const availableCondition =
      available >= replicas - unavailable
        ? condition(
            'Available',
            'True',
            'MinimumReplicasAvailable',
            'Deployment has minimum availability.',
            previous('Available'),
          )
        : condition(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
            previous('Available'),
          );
    const complete =
      latestNew &&
      updated === replicas &&
      totalReplicas === replicas &&
      (latestNew.status?.availableReplicas ?? 0) === replicas;
    const rsName = latestNew?.metadata.name ?? '';
    const progressing = complete
      ? condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
          previous('Progressing'),
        )
      : condition(
          'Progressing',
          'True',
          'ReplicaSetUpdated',
          `ReplicaSet "${rsName}" is progressing.`,
          previous('Progressing'),
        );
    const status: any = {
      observedGeneration: deployment.metadata.generation,
      replicas: totalReplicas,
      updatedReplicas: updated,
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      ...(totalReplicas - available > 0
        ? { unavailableReplicas: totalReplicas - available }
        : {}),
      conditions: [availableCondition, progressing],
    };
    for (const field of [
      'readyReplicas',
      'availableReplicas',
      'updatedReplicas',
      'replicas',
    ]) {
      if (!status[field]) delete status[field];
    }
    this.writeStatus(this.type('apps', 'deployments'), deployment, status);
  }
}
