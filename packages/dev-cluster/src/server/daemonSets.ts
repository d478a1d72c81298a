import type { V1Node, V1Pod, V1Toleration } from '@kubernetes/client-node';
import {
  findUntoleratedTaint,
  matchesRequiredNodeAffinity,
} from '../scheduler/selectors';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { labelSelectorMatcher } from '../machinery/labels';
import { ControllerQueue, ReconcileResult } from './controllerQueue';
import {
  controllerContext,
  controllerReference,
  OwnerController,
} from './ownerControllers';
import { deepClone, jsonEqual } from './objects';
import type { ResourceRegistry } from './registry';
import type { ResourceService } from './resources';
import { revisionTemplate, syncRevisions } from './revisions';
import { resolveRollingUpdate } from './replication';
import { ApiError } from './status';
import { isPodAvailable, isPodReady, isPodTerminal } from './podState';

/*
 * The DaemonSet controller of kube-controller-manager: one pod of the
 * template on every node whose labels match its node selector and affinity
 * and whose taints it tolerates (with the tolerations every daemon pod gets),
 * pinned there by node affinity on metadata.name for the scheduler to bind;
 * pods on nodes that no longer qualify are removed. Template revisions are
 * ControllerRevisions; RollingUpdate replaces pods node by node within
 * maxUnavailable (or starts the new pod first within maxSurge), OnDelete
 * only as pods are deleted. Status as `kubectl rollout status` reads it.
 */

const CONTROLLER = controllerContext('daemon-set-controller');

const REVISION_LABEL = 'controller-revision-hash';
const GENERATION_LABEL = 'pod-template-generation';

/** The tolerations the controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonPodTolerations(spec: any): V1Toleration[] {
  const added: V1Toleration[] = [
    {
      key: 'node.kubernetes.io/not-ready',
      operator: 'Exists',
      effect: 'NoExecute',
    },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
    },
    {
      key: 'node.kubernetes.io/disk-pressure',
      operator: 'Exists',
      effect: 'NoSchedule',
    },
    {
      key: 'node.kubernetes.io/memory-pressure',
      operator: 'Exists',
      effect: 'NoSchedule',
    },
    {
      key: 'node.kubernetes.io/pid-pressure',
      operator: 'Exists',
      effect: 'NoSchedule',
    },
    {
      key: 'node.kubernetes.io/unschedulable',
      operator: 'Exists',
      effect: 'NoSchedule',
    },
    ...(spec?.hostNetwork
      ? [
          {
            key: 'node.kubernetes.io/network-unavailable',
            operator: 'Exists',
            effect: 'NoSchedule',
          },
        ]
      : []),
  ];
  const own: V1Toleration[] = spec?.tolerations ?? [];
  return [
    ...own,
    ...added.filter(
      t => !own.some(o => o.key === t.key && o.effect === t.effect),
    ),
  ];
}

/**
 * Whether a daemon pod of `template` belongs on `node` (`run`), and whether
 * one already there may stay (`stay`): a NoSchedule taint keeps new daemon
 * pods off a node but, unlike NoExecute, does not remove running ones.
 */
export function daemonPlacement(
  template: any,
  node: V1Node,
): { run: boolean; stay: boolean } {
  const spec = template?.spec ?? {};
  if (!matchesRequiredNodeAffinity({ spec } as V1Pod, node))
    return { run: false, stay: false };
  const taint = findUntoleratedTaint(node, daemonPodTolerations(spec));
  return { run: !taint, stay: taint?.effect !== 'NoExecute' };
}

/** The node a daemon pod is for: its binding, or the node its affinity pins it to. */
function nodeOf(pod: any): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms)
    for (const field of term.matchFields ?? [])
      if (field.key === 'metadata.name') return field.values?.[0];
  return undefined;
}

/** Available, and not being deleted: a deleting daemon pod is already on its way out. */
const isAvailable = (pod: any, minReadySeconds: number, now: number) =>
  !pod.metadata.deletionTimestamp && isPodAvailable(pod, minReadySeconds, now);

export class DaemonSetController extends OwnerController {
  protected readonly queue = new ControllerQueue(key => this.sync(key));

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    resources: ResourceService,
  ) {
    super(store, registry, resources, {
      context: CONTROLLER,
      component: 'daemonset-controller',
      owner: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
    });
  }

  start(): void {
    this.follow('apps/daemonsets', e => this.queue.add(e.key));
    this.follow('/pods', e => this.queueController(e, 'DaemonSet'));
    // A node's labels, taints or arrival change where daemons run; its
    // heartbeats do not.
    this.follow('/nodes', e => {
      const placement = (n?: KubeObject) =>
        n && {
          labels: n.metadata.labels,
          taints: (n as any).spec?.taints,
          deleting: n.metadata.deletionTimestamp,
        };
      if (e.previous && jsonEqual(placement(e.previous), placement(e.object)))
        return;
      for (const set of this.store.list('apps/daemonsets').items)
        this.queue.add(`${set.metadata.namespace}/${set.metadata.name}`);
    });
    this.queue.start();
  }

  private createPod(set: any, node: string, revision: any) {
    const template = revisionTemplate(revision);
    const spec = deepClone(template.spec ?? {});
    spec.tolerations = daemonPodTolerations(spec);
    // The scheduler binds it, to this node alone (ReplaceDaemonSetPodNodeNameNodeAffinity).
    spec.affinity = {
      ...(spec.affinity ?? {}),
      nodeAffinity: {
        ...(spec.affinity?.nodeAffinity ?? {}),
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [
                { key: 'metadata.name', operator: 'In', values: [node] },
              ],
            },
          ],
        },
      },
    };
    this.createControlledPod(set, {
      metadata: {
        ...(template.metadata ?? {}),
        generateName: `${set.metadata.name}-`,
        labels: {
          ...(template.metadata?.labels ?? {}),
          [REVISION_LABEL]: revision.metadata.labels[REVISION_LABEL],
          [GENERATION_LABEL]: String(set.metadata.generation ?? 1),
        },
        ownerReferences: [controllerReference(set, 'DaemonSet', 'apps/v1')],
      },
      spec,
    });
  }

  /** Deletes a pod unless it is already gone. */
  private deletePod(set: any, pod: any) {
    try {
      this.deleteControlledPod(set, pod);
    } catch (error) {
      if (error instanceof ApiError && error.status.code === 404) return;
      throw error;
    }
  }

  private sync(key: string): ReconcileResult {
    const set = this.store.get('apps/daemonsets', key) as any;
    if (!set || set.metadata.deletionTimestamp) return undefined;
    const matches = labelSelectorMatcher(set.spec.selector);
    const { all: revisions, update } = syncRevisions(
      this.resources,
      this.type('apps', 'controllerrevisions'),
      this.store,
      set,
      (hash: string) => ({ [REVISION_LABEL]: hash }),
      CONTROLLER,
    );
    const updateHash = update.metadata.labels[REVISION_LABEL];
    const nodes = this.store.list('/nodes').items as V1Node[];
    const live = nodes.filter(n => !n.metadata!.deletionTimestamp);
    const placement = new Map(
      live.map(n => [n.metadata!.name!, daemonPlacement(set.spec.template, n)]),
    );
    const eligible = new Set(
      live
        .filter(n => placement.get(n.metadata!.name!)!.run)
        .map(n => n.metadata!.name!),
    );
    const pods = this.owned('/pods', set, matches);
    const byNode = new Map<string, any[]>();
    for (const pod of pods) {
      const node = nodeOf(pod);
      if (!node) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    const isUpdated = (pod: any) =>
      pod.metadata.labels?.[REVISION_LABEL] === updateHash;
    const now = Date.now();
    const minReady = set.spec.minReadySeconds ?? 0;

    // Misplaced pods go; failed ones are replaced; missing ones made.
    for (const [node, nodePods] of byNode) {
      for (const pod of nodePods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (!placement.get(node)?.stay || isPodTerminal(pod))
          this.deletePod(set, pod);
      }
    }
    const running = (node: string) =>
      (byNode.get(node) ?? []).filter(
        p => !p.metadata.deletionTimestamp && !isPodTerminal(p),
      );
    for (const node of eligible) {
      if (!running(node).length) this.createPod(set, node, update);
    }

    const strategy = set.spec.updateStrategy ?? { type: 'RollingUpdate' };
    if (strategy.type === 'RollingUpdate') {
      const desired = eligible.size;
      const { surge, unavailable: maxUnavailable } = resolveRollingUpdate(
        desired,
        strategy.rollingUpdate?.maxSurge ?? 0,
        strategy.rollingUpdate?.maxUnavailable ?? 1,
      );
      const outdated = [...eligible].filter(node =>
        running(node).some(p => !isUpdated(p)),
      );
      let unavailable = [...eligible].filter(
        node => !running(node).some(p => isAvailable(p, minReady, now)),
      ).length;
      let surging = [...eligible].filter(
        node => running(node).length > 1,
      ).length;
      for (const node of outdated.sort()) {
        const nodePods = running(node);
        const fresh = nodePods.find(isUpdated);
        const old = nodePods.filter(p => !isUpdated(p));
        if (surge > 0) {
          // The new pod first; the old one goes once it is available.
          if (!fresh && surging < surge) {
            this.createPod(set, node, update);
            surging++;
          } else if (fresh && isAvailable(fresh, minReady, now)) {
            for (const pod of old) this.deletePod(set, pod);
          }
          continue;
        }
        const available = old.some(p => isAvailable(p, minReady, now));
        if (available && unavailable >= maxUnavailable) continue;
        for (const pod of old) this.deletePod(set, pod);
        if (available) unavailable++;
      }
    }

    this.cleanupRevisions(set, revisions, update, pods);
    return this.updateStatus(key, updateHash);
  }

  private cleanupRevisions(
    set: any,
    revisions: any[],
    update: any,
    pods: any[],
  ) {
    const inUse = new Set(pods.map(p => p.metadata.labels?.[REVISION_LABEL]));
    const removable = revisions.filter(
      r => r !== update && !inUse.has(r.metadata.labels?.[REVISION_LABEL]),
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

  private updateStatus(key: string, updateHash: string): ReconcileResult {
    const set = this.store.get('apps/daemonsets', key) as any;
    if (!set) return undefined;
    const matches = labelSelectorMatcher(set.spec.selector);
    const nodes = this.store.list('/nodes').items as V1Node[];
    const eligible = new Set(
      nodes
        .filter(n => daemonPlacement(set.spec.template, n).run)
        .map(n => n.metadata!.name!),
    );
    const pods = this.owned('/pods', set, matches).filter(
      p => !isPodTerminal(p),
    );
    const now = Date.now();
    const minReady = set.spec.minReadySeconds ?? 0;
    const onNode = (node: string) => pods.filter(p => nodeOf(p) === node);
    const scheduledNodes = [...eligible].filter(n => onNode(n).length);
    const count = (test: (pods: any[]) => boolean) =>
      [...eligible].filter(n => test(onNode(n))).length;
    const desired = eligible.size;
    const available = count(ps => ps.some(p => isAvailable(p, minReady, now)));
    const status: any = {
      currentNumberScheduled: scheduledNodes.length,
      numberMisscheduled: new Set(
        pods.map(nodeOf).filter(n => n && !eligible.has(n)),
      ).size,
      desiredNumberScheduled: desired,
      numberReady: count(ps => ps.some(isPodReady)),
      observedGeneration: set.metadata.generation,
      updatedNumberScheduled: count(ps =>
        ps.some(p => p.metadata.labels?.[REVISION_LABEL] === updateHash),
      ),
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    for (const field of [
      'updatedNumberScheduled',
      'numberAvailable',
      'numberUnavailable',
    ])
      if (!status[field]) delete status[field];
    this.writeStatus(this.type('apps', 'daemonsets'), set, status);
    if (minReady && status.numberReady > available)
      return { requeueAfterMs: minReady * 1000 };
    return undefined;
  }
}
