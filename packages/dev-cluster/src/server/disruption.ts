import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { labelSelectorMatcher } from '../machinery/labels';
import { ControllerQueue } from './controllerQueue';
import { jsonEqual, timestamp } from './objects';
import type { ResourceRegistry, ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';
import { ApiError, notFound } from './status';
import { isPodReady, isPodTerminal } from './podState';

/*
 * policy/v1 PodDisruptionBudgets: the disruption controller keeps each
 * budget's status (expected, desired and current healthy pods, disruptions
 * allowed), and the pods/eviction subresource honours it as kube-apiserver
 * does — an eviction the budget forbids is answered 429, which `kubectl
 * drain` retries; an allowed one takes one disruption from the budget, marks
 * the pod DisruptionTarget and deletes it.
 */

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:disruption-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

/** How long an eviction counts against a budget if its pod is not deleted (DeletionTimeout). */
const DISRUPTED_POD_TIMEOUT_MS = 2 * 60_000;

/** An int-or-percent of `total`, percentages rounded up (as the disruption controller does). */
function scaled(value: unknown, total: number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(String(value));
  return match ? Math.ceil((Number(match[1]) * total) / 100) : 0;
}

export interface BudgetHealth {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/**
 * A budget's numbers: `expected` is the pods the budget covers (the pod
 * count for an integer minAvailable, else the replicas of their controllers);
 * `healthy` the ready pods not already being disrupted.
 */
export function budgetHealth(
  spec: any,
  expected: number,
  healthy: number,
): BudgetHealth {
  let desiredHealthy: number;
  if (spec?.maxUnavailable !== undefined && spec?.maxUnavailable !== null)
    desiredHealthy = Math.max(
      0,
      expected - scaled(spec.maxUnavailable, expected),
    );
  else desiredHealthy = scaled(spec?.minAvailable ?? 1, expected);
  return {
    expectedPods: expected,
    desiredHealthy,
    currentHealthy: healthy,
    disruptionsAllowed: Math.max(0, healthy - desiredHealthy),
  };
}

export class DisruptionController {
  private readonly queue = new ControllerQueue(key => this.sync(key));
  private stopWatches: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  private type(): ResourceType {
    return this.registry.find('policy', 'v1', 'poddisruptionbudgets')!;
  }

  start(): void {
    const follow = (resource: string, onEvent: (e: StoreEvent) => void) => {
      const handle = this.store.watch(resource, {}, onEvent);
      handle.initial.forEach(onEvent);
      this.stopWatches.push(handle.stop);
    };
    follow('policy/poddisruptionbudgets', e => this.queue.add(e.key));
    follow('/pods', e => {
      for (const pdb of this.store.list('policy/poddisruptionbudgets', {
        namespace: e.namespace,
      }).items)
        this.queue.add(`${e.namespace}/${pdb.metadata.name}`);
    });
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  /** The replicas of the controllers of `pods` (a Deployment's through its ReplicaSet). */
  private controllerScale(pods: any[]): number {
    const seen = new Set<string>();
    let total = 0;
    for (const pod of pods) {
      const owner = pod.metadata.ownerReferences?.find(
        (r: any) => r.controller,
      );
      if (!owner) continue;
      const resource = {
        ReplicaSet: 'apps/replicasets',
        StatefulSet: 'apps/statefulsets',
        ReplicationController: '/replicationcontrollers',
      }[owner.kind as string];
      if (!resource || seen.has(owner.uid)) continue;
      seen.add(owner.uid);
      const controller = this.store.get(
        resource,
        `${pod.metadata.namespace}/${owner.name}`,
      ) as any;
      total += controller?.spec?.replicas ?? 0;
    }
    return total;
  }

  private sync(key: string) {
    const pdb = this.store.get('policy/poddisruptionbudgets', key) as any;
    if (!pdb || pdb.metadata.deletionTimestamp) return undefined;
    const matches = labelSelectorMatcher(pdb.spec?.selector ?? {});
    const pods = this.store
      .list('/pods', { namespace: pdb.metadata.namespace })
      .items.filter(p => matches(p.metadata.labels)) as any[];
    const now = Date.now();
    // Evictions still in flight count as disrupted until their pod goes.
    const disrupted: Record<string, string> = {};
    let recheckMs: number | undefined;
    for (const [name, at] of Object.entries(
      (pdb.status?.disruptedPods ?? {}) as Record<string, string>,
    )) {
      const pod = pods.find(p => p.metadata.name === name);
      const expires = Date.parse(at) + DISRUPTED_POD_TIMEOUT_MS;
      if (!pod || pod.metadata.deletionTimestamp || expires <= now) continue;
      disrupted[name] = at;
      recheckMs = Math.min(recheckMs ?? Infinity, expires - now);
    }
    const healthy = pods.filter(
      p =>
        !p.metadata.deletionTimestamp &&
        !isPodTerminal(p) &&
        isPodReady(p) &&
        !disrupted[p.metadata.name],
    ).length;
    const integerMin =
      (pdb.spec?.maxUnavailable === undefined ||
        pdb.spec?.maxUnavailable === null) &&
      typeof (pdb.spec?.minAvailable ?? 1) === 'number';
    const expected = integerMin
      ? pods.filter(p => !isPodTerminal(p)).length
      : this.controllerScale(pods);
    const health = budgetHealth(pdb.spec, expected, healthy);
    const previous = (pdb.status?.conditions ?? []).find(
      (c: any) => c.type === 'DisruptionAllowed',
    );
    const allowed = health.disruptionsAllowed > 0;
    const conditionStatus = allowed ? 'True' : 'False';
    const status: any = {
      observedGeneration: pdb.metadata.generation,
      ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
      disruptionsAllowed: health.disruptionsAllowed,
      currentHealthy: health.currentHealthy,
      desiredHealthy: health.desiredHealthy,
      expectedPods: health.expectedPods,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: conditionStatus,
          observedGeneration: pdb.metadata.generation,
          lastTransitionTime:
            previous?.status === conditionStatus
              ? previous.lastTransitionTime
              : timestamp(),
          reason: allowed ? 'SufficientPods' : 'InsufficientPods',
          message: '',
        },
      ],
    };
    if (!jsonEqual(pdb.status, status)) {
      this.resources.write(
        this.type(),
        pdb.metadata.namespace,
        pdb.metadata.name,
        'status',
        pdb,
        { ...pdb, status },
        CONTROLLER,
      );
    }
    return recheckMs === undefined ? undefined : { requeueAfterMs: recheckMs };
  }
}

function tooManyRequests(message: string, cause?: string): ApiError {
  return new ApiError(
    429,
    'TooManyRequests',
    message,
    cause
      ? { causes: [{ reason: 'DisruptionBudget', message: cause }] }
      : undefined,
  );
}

/**
 * POST pods/eviction: deletes the pod if no PodDisruptionBudget forbids it,
 * taking one disruption from the budget (the eviction REST of kube-apiserver).
 */
export function evictPod(
  store: ObjectStore,
  registry: ResourceRegistry,
  resources: ResourceService,
  namespace: string,
  name: string,
  eviction: any,
  ctx: RequestContext,
): void {
  const podType = registry.find('', 'v1', 'pods')!;
  const pod = store.get('/pods', `${namespace}/${name}`) as any;
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const deleteOptions = eviction?.deleteOptions ?? {};
  const remove = () => {
    resources.delete(podType, namespace, name, deleteOptions, ctx);
  };
  // Pods that are not running disrupt nothing.
  if (
    pod.metadata.deletionTimestamp ||
    isPodTerminal(pod) ||
    pod.status?.phase === 'Pending'
  ) {
    remove();
    return;
  }
  const pdbType = registry.find('policy', 'v1', 'poddisruptionbudgets')!;
  const budgets = store
    .list('policy/poddisruptionbudgets', { namespace })
    .items.filter(b =>
      labelSelectorMatcher((b as any).spec?.selector ?? {})(
        pod.metadata.labels,
      ),
    ) as any[];
  if (budgets.length > 1) {
    throw new ApiError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const pdb = budgets[0];
  if (pdb) {
    const status = pdb.status ?? {};
    const unhealthyMayGo =
      !isPodReady(pod) &&
      (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
        (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0));
    if (!unhealthyMayGo) {
      if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1))
        throw tooManyRequests(
          "Cannot evict pod as it would violate the pod's disruption budget.",
          `The disruption budget ${pdb.metadata.name} is still being processed by the server.`,
        );
      if ((status.disruptionsAllowed ?? 0) <= 0)
        throw tooManyRequests(
          "Cannot evict pod as it would violate the pod's disruption budget.",
          `The disruption budget ${pdb.metadata.name} needs ${
            status.desiredHealthy ?? 0
          } healthy pods and has ${status.currentHealthy ?? 0} currently`,
        );
      // Take the disruption (a conflict with another eviction is a 409 the client retries).
      resources.write(
        pdbType,
        namespace,
        pdb.metadata.name,
        'status',
        pdb,
        {
          ...pdb,
          status: {
            ...status,
            disruptionsAllowed: status.disruptionsAllowed - 1,
            disruptedPods: {
              ...(status.disruptedPods ?? {}),
              [name]: timestamp(),
            },
          },
        },
        CONTROLLER,
      );
    }
  }
  const conditions = (pod.status?.conditions ?? []).filter(
    (c: any) => c.type !== 'DisruptionTarget',
  );
  resources.write(
    podType,
    namespace,
    name,
    'status',
    pod,
    {
      ...pod,
      status: {
        ...pod.status,
        conditions: [
          ...conditions,
          {
            type: 'DisruptionTarget',
            status: 'True',
            lastTransitionTime: timestamp(),
            reason: 'EvictionByEvictionAPI',
            message: 'Eviction API: evicting',
          },
        ],
      },
    } as KubeObject,
    CONTROLLER,
  );
  remove();
}
