import type {
  V1Node,
  V1Pod,
  V1PodAffinityTerm,
  V1WeightedPodAffinityTerm,
} from '@kubernetes/client-node';
import { nodeAllocatable, podRequests, ResourceAmounts } from './resources';
import type { ClaimLookup } from './volumeBinding';
import {
  compileLabelSelector,
  LabelMatcher,
  Labels,
  labelsOf,
} from './selectors';

/** A pod affinity term with its namespaces resolved, as the scheduler holds it. */
export interface AffinityTerm {
  topologyKey: string;
  weight: number;
  /** Namespaces named by the term (the owner's own when neither field is set). */
  namespaces: Set<string>;
  /** Matches namespace labels; undefined when the term has no namespaceSelector. */
  namespaceSelector?: LabelMatcher;
  selector: LabelMatcher;
}

/** A pod as the scheduler sees it, with what it needs precomputed. */
export interface PodInfo {
  pod: V1Pod;
  namespace: string;
  labels: Labels;
  priority: number;
  requests: ResourceAmounts;
  /** Requests with the 100m / 200Mi defaults, for scoring. */
  nonZeroRequests: ResourceAmounts;
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: AffinityTerm[];
  preferredAntiAffinityTerms: AffinityTerm[];
}

/** A node and the pods bound to it. */
export interface NodeInfo {
  node: V1Node;
  name: string;
  labels: Labels;
  allocatable: ResourceAmounts;
  pods: PodInfo[];
  requested: ResourceAmounts;
  nonZeroRequested: ResourceAmounts;
}

/** Whether the affinity term selects the pod, given the labels of the pod's namespace. */
export function termMatchesPod(
  term: AffinityTerm,
  pod: PodInfo,
  namespaceLabels: Labels | undefined,
): boolean {
  const inNamespace =
    term.namespaces.has(pod.namespace) ||
    (term.namespaceSelector !== undefined &&
      term.namespaceSelector(namespaceLabels ?? {}));
  return inNamespace && term.selector(pod.labels);
}

function compileTerm(
  term: V1PodAffinityTerm,
  ownerNamespace: string,
  weight: number,
): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  if (namespaces.size === 0 && !term.namespaceSelector) {
    namespaces.add(ownerNamespace);
  }
  return {
    topologyKey: term.topologyKey,
    weight,
    namespaces,
    namespaceSelector: term.namespaceSelector
      ? compileLabelSelector(term.namespaceSelector)
      : undefined,
    selector: compileLabelSelector(term.labelSelector),
  };
}

function compileWeighted(
  terms: V1WeightedPodAffinityTerm[] | undefined,
  ownerNamespace: string,
): AffinityTerm[] {
  return (terms ?? []).map(t =>
    compileTerm(t.podAffinityTerm, ownerNamespace, t.weight),
  );
}

/*
 * PodInfo per stored pod object. Objects from the store
 * carry a resourceVersion and are immutable (a write stores a new object), so
 * what is computed from one is computed once, however many snapshots and
 * scheduling cycles see it; entries go with the objects. Objects without a
 * resourceVersion (built by callers, who may change them) are not cached.
 */
const podInfos = new WeakMap<V1Pod, PodInfo>();
function isStored(object: V1Pod): boolean {
  return Boolean(object.metadata?.resourceVersion);
}

/**
 * Precomputes what the scheduler needs to know about a pod; for a stored pod
 * (one with a resourceVersion) once per object, shared by every caller, who
 * must not modify it.
 */
export function newPodInfo(pod: V1Pod): PodInfo {
  if (!isStored(pod)) return computePodInfo(pod);
  let info = podInfos.get(pod);
  if (!info) {
    info = computePodInfo(pod);
    podInfos.set(pod, info);
  }
  return info;
}

function computePodInfo(pod: V1Pod): PodInfo {
  const namespace = pod.metadata?.namespace ?? 'default';
  const affinity = pod.spec?.affinity;
  return {
    pod,
    namespace,
    labels: labelsOf(pod),
    priority: pod.spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, { nonZeroDefaults: true }),
    requiredAffinityTerms: (
      affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ??
      []
    ).map(t => compileTerm(t, namespace, 1)),
    requiredAntiAffinityTerms: (
      affinity?.podAntiAffinity
        ?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    ).map(t => compileTerm(t, namespace, 1)),
    preferredAffinityTerms: compileWeighted(
      affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      namespace,
    ),
    preferredAntiAffinityTerms: compileWeighted(
      affinity?.podAntiAffinity
        ?.preferredDuringSchedulingIgnoredDuringExecution,
      namespace,
    ),
  };
}

function addAmounts(
  into: ResourceAmounts,
  amounts: ResourceAmounts,
  sign: 1 | -1,
) {
  for (const [resource, amount] of Object.entries(amounts)) {
    into[resource] = (into[resource] ?? 0) + sign * amount;
  }
}

/** Whether a pod has any inter-pod (anti-)affinity term. */
export function hasAffinityTerms(pod: PodInfo): boolean {
  return (
    pod.requiredAffinityTerms.length > 0 ||
    pod.requiredAntiAffinityTerms.length > 0 ||
    pod.preferredAffinityTerms.length > 0 ||
    pod.preferredAntiAffinityTerms.length > 0
  );
}

/** Keys (namespace/name) of pod objects, computed once per object. */
const podKeys = new WeakMap<V1Pod, string>();

function podKey(pod: V1Pod): string {
  let key = podKeys.get(pod);
  if (key === undefined) {
    key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    podKeys.set(pod, key);
  }
  return key;
}

/** The index of the first pod whose key is not less than `key` (pods in key order). */
function keyIndex(pods: PodInfo[], key: string): number {
  let lo = 0;
  let hi = pods.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (podKey(pods[mid].pod) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a pod occupies its node: bound and not finished. */
export function occupiesNode(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return (
    Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed'
  );
}

/**
 * The scheduler's view of the cluster: nodes with the pods bound to them and
 * their summed requests, and namespace labels for namespaceSelector terms.
 * A control loop keeps one and calls `assume` after each binding instead of
 * rebuilding it per pod.
 */
export class SchedulingSnapshot {
  private readonly byName: Map<string, NodeInfo>;

  /** The pods' PersistentVolumeClaims, for VolumeBinding; without it, claims are not checked. */
  claims?: ClaimLookup;

  private affinityPodCount = 0;

  /** The node each counted pod is on, by uid. */
  private readonly located = new Map<string, NodeInfo>();

  private constructor(
    readonly nodes: NodeInfo[],
    readonly namespaceLabels: Record<string, Labels>,
  ) {
    this.byName = new Map(nodes.map(info => [info.name, info]));
    for (const info of nodes) {
      for (const pod of info.pods) {
        if (hasAffinityTerms(pod)) this.affinityPodCount++;
        const uid = pod.pod.metadata?.uid;
        if (uid) this.located.set(uid, info);
      }
    }
  }

  /** Builds a snapshot from nodes and pods; pods not bound or finished are left out. */
  static build(
    nodes: V1Node[],
    pods: V1Pod[],
    namespaceLabels: Record<string, Labels> = {},
  ): SchedulingSnapshot {
    const snapshot = new SchedulingSnapshot(
      nodes.map(node => ({
        node,
        name: node.metadata?.name ?? '',
        labels: labelsOf(node),
        allocatable: nodeAllocatable(node),
        pods: [],
        requested: {},
        nonZeroRequested: {},
      })),
      namespaceLabels,
    );
    for (const pod of pods) {
      if (occupiesNode(pod)) snapshot.assume(pod, pod.spec!.nodeName!);
    }
    return snapshot;
  }

  /** How many bound pods have inter-pod (anti-)affinity terms; when none, those plugins have nothing to do. */
  get podsWithAffinityTerms(): number {
    return this.affinityPodCount;
  }

  /** The node of this name, if the snapshot has it. */
  node(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  /** Records a pod as bound to a node (pods on unknown nodes are ignored). */
  assume(pod: V1Pod, nodeName: string): void {
    const info = this.byName.get(nodeName);
    if (!info) return;
    const podInfo = newPodInfo(pod);
    info.pods.push(podInfo);
    this.added(info, podInfo);
  }

  /** Forgets a pod (deleted, finished or preempted). */
  forget(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    const name = pod.metadata?.name;
    const namespace = pod.metadata?.namespace;
    const located = uid ? this.located.get(uid) : undefined;
    for (const info of located ? [located] : this.nodes) {
      const index = info.pods.findIndex(p =>
        uid
          ? p.pod.metadata?.uid === uid
          : p.pod.metadata?.name === name && p.namespace === namespace,
      );
      if (index >= 0) {
        this.removeAt(info, index);
        return;
      }
    }
  }

  /**
   * Brings the snapshot up to date with one pod's latest version, as a
   * control loop does from its pod watch: the pod is left out when it is
   * deleted (`deleted`), not bound or finished, and otherwise counted on its
   * node, at its place in key order (namespace/name), so that the snapshot
   * stays equal to one built from all pods in the store's order.
   */
  setPod(pod: V1Pod, deleted = false): void {
    const uid = pod.metadata?.uid;
    const key = podKey(pod);
    const where = uid ? this.located.get(uid) : undefined;
    if (where) {
      this.located.delete(uid!);
      // The pod's earlier version sits at its key (a pod keeps its name).
      let index = keyIndex(where.pods, key);
      if (where.pods[index]?.pod.metadata?.uid !== uid)
        index = where.pods.findIndex(p => p.pod.metadata?.uid === uid);
      if (index >= 0) this.removeAt(where, index);
    } else if (!uid) {
      this.forget(pod);
    }
    if (deleted || !occupiesNode(pod)) return;
    const info = this.byName.get(pod.spec!.nodeName!);
    if (!info) return;
    const podInfo = newPodInfo(pod);
    info.pods.splice(keyIndex(info.pods, key), 0, podInfo);
    this.added(info, podInfo);
  }

  /** Replaces the namespace labels (for namespaceSelector terms). */
  setNamespaceLabels(labels: Record<string, Labels>): void {
    for (const name of Object.keys(this.namespaceLabels))
      delete this.namespaceLabels[name];
    Object.assign(this.namespaceLabels, labels);
  }

  private added(info: NodeInfo, podInfo: PodInfo) {
    const uid = podInfo.pod.metadata?.uid;
    if (uid) this.located.set(uid, info);
    if (hasAffinityTerms(podInfo)) this.affinityPodCount++;
    addAmounts(info.requested, podInfo.requests, 1);
    addAmounts(info.nonZeroRequested, podInfo.nonZeroRequests, 1);
  }

  private removeAt(info: NodeInfo, index: number) {
    const [removed] = info.pods.splice(index, 1);
    const uid = removed.pod.metadata?.uid;
    if (uid && this.located.get(uid) === info) this.located.delete(uid);
    if (hasAffinityTerms(removed)) this.affinityPodCount--;
    addAmounts(info.requested, removed.requests, -1);
    addAmounts(info.nonZeroRequested, removed.nonZeroRequests, -1);
  }

  /** A copy of the snapshot without the given pods (preemption's what-if). */
  without(victims: PodInfo[]): SchedulingSnapshot {
    const excluded = new Set(victims.map(v => v.pod));
    const nodes = this.nodes.map(info => {
      const pods = info.pods.filter(p => !excluded.has(p.pod));
      if (pods.length === info.pods.length) return info;
      const requested: ResourceAmounts = {};
      const nonZeroRequested: ResourceAmounts = {};
      for (const p of pods) {
        addAmounts(requested, p.requests, 1);
        addAmounts(nonZeroRequested, p.nonZeroRequests, 1);
      }
      return { ...info, pods, requested, nonZeroRequested };
    });
    return new SchedulingSnapshot(nodes, this.namespaceLabels);
  }
}
