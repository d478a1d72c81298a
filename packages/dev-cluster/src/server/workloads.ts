import { homedir } from 'node:os';
import type {
  V1Node,
  V1NodeCondition,
  V1Pod,
  V1PodStatus,
} from '@kubernetes/client-node';
import type { V1Service } from '@kubernetes/client-node';
import {
  heartbeatNodeStatus,
  ImageCatalog,
  Kubelet,
  KUBELET_CONDITIONS,
  serviceEnvironment,
  toEventObject,
} from '../kubelet';
import type { KubeletEvent } from '../kubelet';
import {
  containerIdForLogs,
  requestedContainerName,
} from '../kubelet/logRequests';
import {
  dialLoopback,
  handlePortForwardUpgrade,
  handleStreamUpgrade,
  ProcessRuntime,
} from '../runtime';
import {
  bindingFor,
  ClaimLookup,
  prepareVolumeBinding,
  scheduleOnSnapshot,
  SchedulingSnapshot,
  schedulingEvent,
  unschedulableCondition,
} from '../scheduler';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { defaultNodes, loadTopologyFile } from '../topology';
import type { SubresourceHandler, UpgradeHandler } from './apiServer';
import { microTimestamp, timestamp } from './objects';
import {
  disruptionTargetCondition,
  eligibleToPreempt,
  NOT_ELIGIBLE_TERMINATING_VICTIMS,
  nominatedPodsAhead,
  preemptedEvent,
  schedulingOrder,
} from './preemption';
import type { ResourceRegistry, ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';
import { ApiError, badRequest } from './status';
import { bindPod } from './subresources';
import type { ServiceAccountTokens } from './tokens';
import {
  claimDirectory,
  claimState,
  SELECTED_NODE_ANNOTATION,
} from './volumes';

/*
 * The control loops that make pods run, assembled from the scheduler,
 * kubelet, runtime and topology modules: node registration from the
 * topology, the scheduler loop (binding pods, PodScheduled=False and
 * FailedScheduling for those that do not fit), one kubelet per node on a
 * shared process runtime (status, events, graceful deletion, heartbeats), and
 * the pods/log endpoint.
 */

const SCHEDULER: RequestContext = {
  user: { username: 'system:kube-scheduler', groups: ['system:masters'] },
  dryRun: false,
};
const KUBELET: RequestContext = {
  user: { username: 'system:node', groups: ['system:nodes', 'system:masters'] },
  dryRun: false,
};

/** How often kubelets post their node's status. */
const HEARTBEAT_MS = 10_000;

/** Fields of type metav1.MicroTime, serialized with microseconds (Events' eventTime, Leases' times). */
const MICRO_TIME_FIELDS = new Set([
  'eventTime',
  'lastObservedTime',
  'acquireTime',
  'renewTime',
]);

/**
 * The module objects use client-node's types, whose times are Dates; the API
 * serializes metav1.Time as RFC 3339 seconds and metav1.MicroTime with
 * microseconds (clients fail to decode a MicroTime without them). The result
 * is what `JSON.parse(JSON.stringify(value))` gives with those times, built
 * in one pass rather than through a string.
 */
function toJson<T>(value: T): any {
  return toJsonValue(value, '');
}

function toJsonValue(value: unknown, key: string): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      return undefined; // undefined, functions and symbols are left out
  }
  if (value instanceof Date) {
    return MICRO_TIME_FIELDS.has(key)
      ? microTimestamp(value)
      : timestamp(value);
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => toJsonValue(item, String(i)) ?? null);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(value));
  }
  const result: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = toJsonValue((value as Record<string, unknown>)[k], k);
    if (v !== undefined) result[k] = v;
  }
  return result;
}

export interface WorkloadOptions {
  /** A topology YAML file replacing the default 18 nodes. */
  topologyFile?: string;
  /** Where container processes keep their working directories and logs. */
  runtimeDir: string;
  /** An image catalog file whose repositories add to or replace the shipped ones. */
  imageCatalogFile?: string;
  /** Kubelet back-off (Kubernetes: 10 s doubling to 5 min). */
  backoff?: { initialMs: number; maxMs: number };
  /** Directories containers must not see (the cluster's state directory, with its keys). */
  hiddenPaths?: string[];
  /** Signs the ServiceAccount tokens of pods' projected volumes; without it they get none. */
  tokens?: ServiceAccountTokens;
  /** The API server's URL once it listens: containers' KUBERNETES_SERVICE_HOST/PORT. */
  apiServerUrl?: () => string | undefined;
}

export class Workloads {
  private readonly runtime: ProcessRuntime;
  private readonly images: ImageCatalog;
  private readonly kubelets = new Map<string, Kubelet>();
  private readonly unschedulable = new Set<string>();
  private readonly toSchedule = new Set<string>();
  private scheduleTimer: NodeJS.Timeout | undefined;
  /**
   * The scheduler's snapshot of the bound pods, kept up to date from the pod
   * watch between cycles (rather than rebuilt from every pod per cycle);
   * dropped, to be built again, when a node changes.
   */
  private snapshot: SchedulingSnapshot | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopWatches: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly options: WorkloadOptions,
  ) {
    this.images = ImageCatalog.load(options.imageCatalogFile);
    this.runtime = new ProcessRuntime({
      stateDir: options.runtimeDir,
      images: this.images,
      hiddenPaths: [
        options.runtimeDir,
        ...(options.hiddenPaths ?? []),
        homedir(),
      ],
    });
  }

  /** Whether pods run isolated, and if not, why. */
  get isolation() {
    return this.runtime.isolation;
  }

  /**
   * The `kubernetes` Service's variables point at the API server itself (the
   * cluster IP answers nothing here), so in-cluster clients such as
   * client-node's `loadFromCluster()` reach it.
   */
  private apiServerEnv(): Record<string, string> {
    const url = this.options.apiServerUrl?.();
    if (!url) return {};
    const { hostname, port } = new URL(url);
    return {
      KUBERNETES_SERVICE_HOST: hostname,
      KUBERNETES_SERVICE_PORT: port,
      KUBERNETES_SERVICE_PORT_HTTPS: port,
    };
  }

  /** A token of the pod's ServiceAccount bound to the pod, as the kubelet requests for kube-api-access volumes. */
  private podToken(
    pod: V1Pod,
    request: { audience?: string; expirationSeconds: number },
  ): string | undefined {
    const namespace = pod.metadata!.namespace!;
    const name = pod.spec?.serviceAccountName || 'default';
    const account = this.store.get('/serviceaccounts', `${namespace}/${name}`);
    if (!account || !this.options.tokens) return undefined;
    return this.options.tokens.issue(
      { namespace, name, uid: account.metadata.uid! },
      {
        audiences: request.audience ? [request.audience] : undefined,
        expirationSeconds: request.expirationSeconds,
        boundObject: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: pod.metadata!.name!,
          uid: pod.metadata!.uid!,
        },
      },
    ).token;
  }

  private type(plural: string): ResourceType {
    return this.registry.find('', 'v1', plural)!;
  }

  start(): void {
    this.registerNodes();
    for (const node of this.store.list('/nodes').items)
      this.startKubelet(node as V1Node);
    const pods = this.store.watch('/pods', {}, e => this.onPodEvent(e));
    for (const event of pods.initial) this.onPodEvent(event);
    const nodes = this.store.watch('/nodes', {}, e => {
      this.snapshot = undefined;
      if (e.type === 'ADDED') this.startKubelet(e.object as V1Node);
      this.retryUnschedulable();
    });
    // A claim created or bound may let a waiting pod schedule.
    const claims = this.store.watch('/persistentvolumeclaims', {}, () =>
      this.retryUnschedulable(),
    );
    this.stopWatches = [pods.stop, nodes.stop, claims.stop];
    this.heartbeat = setInterval(() => this.postNodeStatus(), HEARTBEAT_MS);
    this.postNodeStatus();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stopWatches) stop();
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.all([...this.kubelets.values()].map(k => k.stop()));
  }

  private registerNodes() {
    if (this.store.count('/nodes') > 0) return;
    const nodes = this.options.topologyFile
      ? loadTopologyFile(this.options.topologyFile)
      : defaultNodes();
    for (const node of nodes)
      this.resources.create(this.type('nodes'), '', toJson(node), KUBELET);
  }

  private startKubelet(node: V1Node) {
    const name = node.metadata!.name!;
    if (this.kubelets.has(name)) return;
    const hostIP =
      node.status?.addresses?.find(a => a.type === 'InternalIP')?.address ??
      '127.0.0.1';
    this.kubelets.set(
      name,
      new Kubelet({
        nodeName: name,
        hostIP,
        podCIDR: node.spec?.podCIDR,
        runtime: this.runtime,
        images: this.images,
        claimDirectory: (namespace, claim) =>
          claimDirectory(this.store, namespace, claim),
        nodeAllocatable: node.status?.allocatable,
        node: () => this.store.get('/nodes', name) as V1Node | undefined,
        serviceEnv: pod => ({
          ...serviceEnvironment(
            this.store.list('/services').items as V1Service[],
            pod.metadata!.namespace!,
            pod.spec?.enableServiceLinks ?? true,
          ),
          ...this.apiServerEnv(),
        }),
        backoff: this.options.backoff,
        envSources: {
          configMap: (ns, n) =>
            this.store.get('/configmaps', `${ns}/${n}`) as any,
          secret: (ns, n) => this.store.get('/secrets', `${ns}/${n}`) as any,
          serviceAccountToken: (pod, request) => this.podToken(pod, request),
        },
        onPodStatus: (pod, status) => this.queuePodStatus(pod, status),
        onEvent: event => setImmediate(() => this.recordEvent(event, name)),
      }),
    );
  }

  /** The nodes' PodIsolation condition: whether their pods run in namespaces of their own, and if not why. */
  private isolationCondition(): Omit<
    V1NodeCondition,
    'lastHeartbeatTime' | 'lastTransitionTime'
  > {
    const isolation = this.runtime.isolation;
    if (isolation && isolation.available)
      return {
        type: 'PodIsolation',
        status: 'True',
        reason: 'Bubblewrap',
        message:
          "pods run in their own mount, UTS, IPC and PID namespaces (bubblewrap), not a network namespace: they share the host's network, each on its own loopback address, its declared ports checked before start (an unprivileged process cannot give a namespace a veth, and a user-mode stack such as pasta forwards only declared ports and leaves pods unable to reach each other's loopback addresses)",
      };
    return {
      type: 'PodIsolation',
      status: 'False',
      reason: isolation ? isolation.reason : 'Disabled',
      message: isolation
        ? isolation.message
        : 'containers run as plain host processes',
    };
  }

  private postNodeStatus() {
    if (this.stopped) return;
    const now = new Date();
    for (const node of this.store.list('/nodes').items) {
      if (!this.kubelets.has(node.metadata.name!)) continue;
      const status = toJson(
        heartbeatNodeStatus(node as V1Node, now, this.isolationCondition()),
      );
      this.write('nodes', '', node, { ...node, status }, 'status', KUBELET);
      this.renewLease(node, now);
    }
  }

  /** The node's Lease in kube-node-lease, which kubelets renew as their heartbeat. */
  private renewLease(node: KubeObject, now: Date) {
    const name = node.metadata.name!;
    const leases = this.registry.find('coordination.k8s.io', 'v1', 'leases')!;
    const existing = this.store.get(
      'coordination.k8s.io/leases',
      `kube-node-lease/${name}`,
    );
    const spec = {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: microTimestamp(now),
    };
    try {
      if (!existing) {
        this.resources.create(
          leases,
          'kube-node-lease',
          {
            metadata: {
              name,
              ownerReferences: [
                {
                  apiVersion: 'v1',
                  kind: 'Node',
                  name,
                  uid: node.metadata.uid!,
                },
              ],
            },
            spec,
          },
          KUBELET,
        );
      } else {
        const next = {
          ...existing,
          spec: { ...(existing as any).spec, ...spec },
        };
        this.resources.write(
          leases,
          'kube-node-lease',
          name,
          '',
          existing,
          next,
          KUBELET,
        );
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private write(
    plural: string,
    namespace: string,
    existing: KubeObject,
    next: KubeObject,
    subresource: string,
    ctx: RequestContext,
  ) {
    try {
      this.resources.write(
        this.type(plural),
        namespace,
        existing.metadata.name!,
        subresource,
        existing,
        next,
        ctx,
      );
    } catch (e) {
      // A conflict or a deleted object: the next event brings the new state.
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private onPodEvent(event: StoreEvent) {
    const pod = event.object as V1Pod;
    const key = event.key;
    this.snapshot?.setPod(pod, event.type === 'DELETED');
    if (event.type === 'DELETED') {
      this.toSchedule.delete(key);
      this.unschedulable.delete(key);
      const kubelet = pod.spec?.nodeName
        ? this.kubelets.get(pod.spec.nodeName)
        : undefined;
      kubelet?.deletePod(pod);
      this.retryUnschedulable();
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      if (
        !pod.metadata?.deletionTimestamp &&
        (pod.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler'
      ) {
        this.toSchedule.add(key);
        this.scheduleSoon();
      }
      return;
    }
    const kubelet = this.kubelets.get(nodeName);
    if (!kubelet) return;
    if (pod.metadata?.deletionTimestamp) {
      const uid = pod.metadata.uid!;
      kubelet
        .deletePod(pod)
        .then(() =>
          this.finishDeletion(event.namespace, pod.metadata!.name!, uid),
        );
    } else {
      kubelet.syncPod(pod);
    }
  }

  /** After the containers stopped, the kubelet deletes the pod for good (grace period 0). */
  private finishDeletion(namespace: string, name: string, uid: string) {
    if (this.stopped) return;
    try {
      this.resources.delete(
        this.type('pods'),
        namespace,
        name,
        { gracePeriodSeconds: 0, preconditions: { uid } },
        KUBELET,
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  /**
   * Statuses to write, the latest per pod: as the kubelet's status manager
   * keeps only a pod's newest status until it syncs, reports made in one
   * turn of the event loop (a container created and started) become one
   * write, not one each.
   */
  private readonly pendingStatuses = new Map<
    string,
    { pod: V1Pod; status: V1PodStatus }
  >();

  private queuePodStatus(pod: V1Pod, status: V1PodStatus) {
    if (!this.pendingStatuses.size)
      setImmediate(() => {
        const pending = [...this.pendingStatuses.values()];
        this.pendingStatuses.clear();
        for (const next of pending) this.writePodStatus(next.pod, next.status);
      });
    this.pendingStatuses.set(pod.metadata!.uid!, { pod, status });
  }

  private writePodStatus(pod: V1Pod, status: V1PodStatus) {
    if (this.stopped) return;
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    const current = this.store.get('/pods', key);
    if (!current || current.metadata.uid !== pod.metadata!.uid) return;
    const json = toJson(status);
    // The kubelet's status manager (mergePodStatus) writes only the
    // conditions it owns; the others (PodScheduled, DisruptionTarget, a
    // controller's readiness gate) are taken from the API server's copy, so
    // a status computed from an older copy of the pod cannot undo a
    // controller's newer write.
    const owned = (c: any) => KUBELET_CONDITIONS.includes(c.type);
    json.conditions = [
      ...((current as any).status?.conditions ?? []).filter(
        (c: any) => !owned(c),
      ),
      ...(json.conditions ?? []).filter(owned),
    ];
    this.write(
      'pods',
      pod.metadata!.namespace!,
      current,
      {
        ...current,
        status: {
          ...json,
          qosClass: (current as any).status?.qosClass ?? json.qosClass,
        },
      },
      'status',
      KUBELET,
    );
  }

  private recordEvent(event: KubeletEvent, nodeName: string) {
    if (this.stopped) return;
    this.createEvent(toJson(toEventObject(event, nodeName)), KUBELET);
  }

  private createEvent(event: KubeObject, ctx: RequestContext) {
    try {
      this.resources.create(
        this.type('events'),
        event.metadata.namespace!,
        event,
        ctx,
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private retryUnschedulable() {
    for (const key of this.unschedulable) this.toSchedule.add(key);
    this.unschedulable.clear();
    this.scheduleSoon();
  }

  private scheduleSoon() {
    if (this.scheduleTimer || this.stopped || !this.toSchedule.size) return;
    this.scheduleTimer = setTimeout(() => {
      this.scheduleTimer = undefined;
      this.scheduleQueued();
    }, 0);
  }

  /** One scheduling cycle over every queued pod, on one snapshot of nodes and pods. */
  private scheduleQueued() {
    const queued: V1Pod[] = [];
    for (const key of this.toSchedule) {
      const pod = this.store.get('/pods', key) as V1Pod | undefined;
      if (pod && !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp)
        queued.push(pod);
    }
    this.toSchedule.clear();
    const namespaceLabels = Object.fromEntries(
      this.store
        .list('/namespaces')
        .items.map(ns => [ns.metadata.name!, ns.metadata.labels ?? {}]),
    );
    const nodes = this.store.list('/nodes').items as V1Node[];
    const pods = this.store.list('/pods').items as V1Pod[];
    const placed = pods.filter(p => p.spec?.nodeName);
    let nominated = pods.filter(
      p =>
        !p.spec?.nodeName &&
        p.status?.nominatedNodeName &&
        !p.metadata?.deletionTimestamp,
    );
    if (this.snapshot) {
      this.snapshot.setNamespaceLabels(namespaceLabels);
    } else {
      this.snapshot = SchedulingSnapshot.build(nodes, placed, {
        ...namespaceLabels,
      });
    }
    // Bindings reach it through the pod watch, as they are written.
    const snapshot = this.snapshot;
    snapshot.claims = this.claims;
    for (const pod of queued.sort(schedulingOrder)) {
      const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
      // Room kept for pods of at least this priority waiting on preemptions.
      const ahead = nominatedPodsAhead(pod, nominated);
      let view = snapshot;
      if (ahead.length) {
        view = SchedulingSnapshot.build(
          nodes,
          [...placed, ...ahead],
          namespaceLabels,
        );
        view.claims = this.claims;
      }
      let result = scheduleOnSnapshot(pod, view);
      if (result.outcome === 'Unschedulable' && result.preemption) {
        if (eligibleToPreempt(pod, view)) {
          this.preempt(pod, result.preemption);
          nominated = [
            ...nominated.filter(p => p.metadata?.uid !== pod.metadata?.uid),
            {
              ...pod,
              status: {
                ...pod.status,
                nominatedNodeName: result.preemption.nodeName,
              },
            },
          ];
        } else {
          result = {
            outcome: 'Unschedulable',
            message: `${result.message} preemption: ${NOT_ELIGIBLE_TERMINATING_VICTIMS}`,
            nodeReasons: result.nodeReasons,
          };
        }
      }
      if (result.outcome === 'Scheduled') {
        this.selectNodeForClaims(pod, result.nodeName);
        const bound = bindPod(
          pod as KubeObject,
          toJson(bindingFor(pod, result.nodeName)),
        );
        this.write(
          'pods',
          pod.metadata!.namespace!,
          pod as KubeObject,
          bound,
          'binding',
          SCHEDULER,
        );
        placed.push(bound as V1Pod);
        nominated = nominated.filter(
          p => p.metadata?.uid !== pod.metadata?.uid,
        );
      } else if (
        result.outcome === 'Unschedulable' ||
        result.outcome === 'Gated'
      ) {
        this.unschedulable.add(key);
        const condition = toJson(unschedulableCondition(result));
        const current = pod as any;
        const existing = (current.status?.conditions ?? []).find(
          (c: any) => c.type === 'PodScheduled',
        );
        const nominatedNodeName =
          (result.outcome === 'Unschedulable' && result.preemption?.nodeName) ||
          current.status?.nominatedNodeName;
        if (
          existing?.status === 'False' &&
          existing.reason === condition.reason &&
          existing.message === condition.message &&
          nominatedNodeName === current.status?.nominatedNodeName
        ) {
          continue; // already reported
        }
        const conditions = [
          ...(current.status?.conditions ?? []).filter(
            (c: any) => c.type !== 'PodScheduled',
          ),
          condition,
        ];
        this.write(
          'pods',
          pod.metadata!.namespace!,
          current,
          {
            ...current,
            status: {
              ...current.status,
              conditions,
              ...(nominatedNodeName ? { nominatedNodeName } : {}),
            },
          },
          'status',
          SCHEDULER,
        );
      }
      const event = schedulingEvent(pod, result);
      if (event) this.createEvent(toJson(event), SCHEDULER);
    }
  }

  private readonly claims: ClaimLookup = (namespace, name) =>
    claimState(this.store, namespace, name);

  /**
   * VolumeBinding's PreBind for claims waiting for their first consumer: the
   * chosen node goes on the claim, for the provisioner to make its volume
   * there. (The kubelet starts the pod's containers once the claims are bound.)
   */
  private selectNodeForClaims(pod: V1Pod, nodeName: string) {
    const namespace = pod.metadata!.namespace!;
    for (const name of prepareVolumeBinding(pod, this.claims).delayedClaims) {
      const claim = this.store.get(
        '/persistentvolumeclaims',
        `${namespace}/${name}`,
      );
      if (!claim || claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION])
        continue;
      this.write(
        'persistentvolumeclaims',
        namespace,
        claim,
        {
          ...claim,
          metadata: {
            ...claim.metadata,
            annotations: {
              ...claim.metadata.annotations,
              [SELECTED_NODE_ANNOTATION]: nodeName,
            },
          },
        },
        '',
        SCHEDULER,
      );
    }
  }

  /**
   * DefaultPreemption's follow-through: each victim gets the DisruptionTarget
   * condition, a Preempted event and a graceful delete; lower-priority pods
   * nominated to the node lose their nomination. The preemptor is nominated
   * (by the caller's status write) and scheduled once the victims are gone.
   */
  private preempt(
    preemptor: V1Pod,
    preemption: { nodeName: string; victims: V1Pod[] },
  ) {
    for (const victim of preemption.victims) {
      const current = this.store.get(
        '/pods',
        `${victim.metadata!.namespace}/${victim.metadata!.name}`,
      ) as any;
      if (!current || current.metadata.uid !== victim.metadata!.uid) continue;
      const condition = toJson(disruptionTargetCondition(preemptor));
      const conditions = [
        ...(current.status?.conditions ?? []).filter(
          (c: any) => c.type !== condition.type,
        ),
        condition,
      ];
      this.write(
        'pods',
        current.metadata.namespace,
        current,
        { ...current, status: { ...current.status, conditions } },
        'status',
        SCHEDULER,
      );
      try {
        this.resources.delete(
          this.type('pods'),
          current.metadata.namespace,
          current.metadata.name,
          { preconditions: { uid: current.metadata.uid } },
          SCHEDULER,
        );
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
      this.createEvent(
        toJson(preemptedEvent(victim, preemptor, preemption.nodeName)),
        SCHEDULER,
      );
    }
    const priority = preemptor.spec?.priority ?? 0;
    for (const other of this.store.list('/pods').items as any[]) {
      if (
        other.status?.nominatedNodeName !== preemption.nodeName ||
        other.spec?.nodeName ||
        (other.spec?.priority ?? 0) >= priority
      )
        continue;
      const status = { ...other.status };
      delete status.nominatedNodeName;
      this.write(
        'pods',
        other.metadata.namespace,
        other,
        { ...other, status },
        'status',
        SCHEDULER,
      );
    }
  }

  /**
   * pods/exec and pods/attach over WebSocket: the container the request
   * names (or the pod's only one), bridged by the runtime's stream protocol.
   */
  readonly streams: UpgradeHandler = ({ req, socket, head, info, object }) => {
    const pod = object as V1Pod;
    const requested = new URL(
      req.url ?? '/',
      'https://localhost',
    ).searchParams.get('container');
    const container = requestedContainerName(pod, requested ?? undefined);
    if ('error' in container) throw badRequest(container.error);
    handleStreamUpgrade(req, socket, head, options => {
      const instance = this.runtime.latest(pod.metadata!.uid!, container.name);
      if (!instance || instance.exit) {
        throw new Error(
          `container ${container.name} is not running in pod ${
            pod.metadata!.name
          }`,
        );
      }
      return info.subresource === 'attach'
        ? this.runtime.attach(instance.id, { stdin: options.stdin })
        : this.runtime.exec(instance.id, {
            command: options.command,
            stdin: options.stdin,
            tty: options.tty,
          });
    });
  };

  /**
   * pods/portforward: the containers share the host's network, each pod with
   * its own loopback address (its IP), so a pod's port is that address's.
   */
  readonly portForward: UpgradeHandler = ({ req, socket, head, object }) => {
    const pod = object as V1Pod;
    const podIP = pod.status?.podIP ?? '127.0.0.1';
    handlePortForwardUpgrade(
      req,
      socket,
      head,
      port => dialLoopback(port, podIP),
      (port, error) =>
        `error forwarding port ${port} to pod ${pod.metadata!.name}, uid ${
          pod.metadata!.uid
        }: ${error.message}`,
    );
  };

  /** GET pods/{name}/log, answered from the runtime's CRI log files. */
  /** The runtime's record of a container, by its containerID. */
  container(id: string) {
    return this.runtime.container(id);
  }

  readonly logs: SubresourceHandler = ({ res, url, object }) => {
    const pod = object as V1Pod;
    const query = url.searchParams;
    const container = requestedContainerName(
      pod,
      query.get('container') ?? undefined,
    );
    if ('error' in container) throw badRequest(container.error);
    const previous = query.get('previous') === 'true';
    const instance = containerIdForLogs(
      pod.metadata!.name!,
      pod.status,
      container.name,
      previous,
    );
    if ('error' in instance) throw badRequest(instance.error);
    const number = (name: string) => {
      const value = query.get(name);
      return value === null ? undefined : Number(value);
    };
    const options = {
      tailLines: number('tailLines'),
      sinceSeconds: number('sinceSeconds'),
      sinceTime: query.get('sinceTime') ?? undefined,
      timestamps: query.get('timestamps') === 'true',
      limitBytes: number('limitBytes'),
    };
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Transfer-Encoding': 'chunked',
    });
    // A container this runtime no longer runs (it ended before the dev
    // cluster last started) has only its log file: a follow of it returns
    // the whole log and ends, as the kubelet's does for an ended container.
    if (
      query.get('follow') === 'true' &&
      !previous &&
      this.runtime.container(instance.containerID)
    ) {
      const follow = this.runtime.followLogs(
        instance.containerID,
        options,
        chunk => res.write(chunk),
      );
      res.on('drain', follow.resume);
      res.on('close', follow.stop);
      follow.done.then(() => res.end());
      return;
    }
    const restartCount =
      [
        ...(pod.status?.containerStatuses ?? []),
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.ephemeralContainerStatuses ?? []),
      ].find(s => s.name === container.name)?.restartCount ?? 0;
    res.end(
      this.runtime.readContainerLogs(instance.containerID, options) ??
        this.runtime.readLogsByAttempt(
          {
            namespace: pod.metadata!.namespace!,
            podName: pod.metadata!.name!,
            podUid: pod.metadata!.uid!,
            name: container.name,
          },
          previous ? restartCount - 1 : restartCount,
          options,
        ),
    );
  };
}
