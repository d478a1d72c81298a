import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type {
  V1Container,
  V1ContainerState,
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1EphemeralContainer,
  V1Node,
  V1Pod,
  V1PodStatus,
  V1Probe,
} from '@kubernetes/client-node';
import {
  ContainerExit,
  ContainerInfo,
  ContainerStartError,
  ProcessRuntime,
  RuntimeVolumeMount,
} from '../runtime/processRuntime';
import { Backoff, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from './backoff';
import {
  CreateContainerConfigError,
  EnvSources,
  resolveContainerEnv,
} from './env';
import {
  ACTIVE_DEADLINE_MESSAGE,
  ContainerKind,
  crashLoopMessage,
  eventSubject,
  imagePullBackOffMessage,
  KubeletEvent,
  kubeletEvents,
} from './events';
import { ImageCatalog } from './imageCatalog';
import { decideImagePull, normalizedImage } from './images';
import { admitPod } from './admission';
import type { ActivePods } from './admission';
import { podRequests } from '../scheduler/resources';
import {
  buildPodStatus,
  containersToRestartForUpdate,
  qosClass,
} from './podStatus';
import { ProbeKind, ProbeWorker, runProbe } from './probes';
import { volumeContent, VolumeSources } from './volumeFiles';

export interface KubeletOptions {
  nodeName: string;
  /** The node's InternalIP (status.hostIP of its pods). */
  hostIP: string;
  /** Where pod IPs come from (the node's spec.podCIDR, in 127.0.0.0/8 so they answer on the host's loopback). */
  podCIDR?: string;
  runtime: ProcessRuntime;
  /** ConfigMaps and Secrets for env and volumes, and ServiceAccount tokens for projected volumes; none when omitted. */
  envSources?: VolumeSources;
  /** The node's allocatable, for resourceFieldRef of unset limits. */
  nodeAllocatable?: Record<string, string>;
  /** The current Node object, for admitting pods; without it every pod is admitted. */
  node?: () => V1Node | undefined;
  /**
   * Variables every container gets first, such as KUBERNETES_SERVICE_HOST/PORT
   * pointing at the API server; a function gives each pod those of the
   * services that exist when its container starts.
   */
  serviceEnv?:
    | Record<string, string>
    | ((pod: V1Pod) => Record<string, string>);
  /** Receives every new status of a pod (the kubelet's status manager would PATCH pods/status). */
  onPodStatus: (pod: V1Pod, status: V1PodStatus) => void;
  /** Receives every event the kubelet records. */
  onEvent: (event: KubeletEvent) => void;
  /**
   * Called once a deleted pod's containers have stopped and its final status
   * was reported: the pod may now be removed (the kubelet's DELETE with grace 0).
   */
  onPodTerminated?: (pod: V1Pod) => void;
  /**
   * The directory of a bound PersistentVolumeClaim's volume, undefined while
   * it is not bound (containers then wait in ContainerCreating). Without it,
   * a claim's volume is a directory of the pod, as an emptyDir.
   */
  claimDirectory?: (namespace: string, claimName: string) => string | undefined;
  /** The images the node can pull (default: the catalog shipped with the package). */
  images?: ImageCatalog;
  /** Back-off delays; Kubernetes' are 10s doubling to 5m (tests shorten them). */
  backoff?: { initialMs: number; maxMs: number };
  now?: () => Date;
}

/** What the kubelet tracks for one container of a pod. */
interface ContainerTrack {
  spec: V1Container | V1EphemeralContainer;
  kind: ContainerKind;
  instance?: ContainerInfo;
  state: V1ContainerState;
  lastState: V1ContainerState;
  imageID: string;
  /** Set while the kubelet itself restarts the container (a changed image). */
  replacing: boolean;
  /** The instance the kubelet stopped for a changed image: its exit is no crash. */
  replacedInstanceId?: string;
  /** Probes of the running instance. */
  probes: ProbeWorker[];
  /** The startup probe has passed (or there is none). */
  startupPassed: boolean;
  /** The readiness probe passes (or there is none). */
  readinessPassed: boolean;
  /** An operation (pull, start) is under way. */
  busy: boolean;
}

interface PodWorker {
  pod: V1Pod;
  uid: string;
  podIP: string;
  startTime: Date;
  tracks: Map<string, ContainerTrack>;
  /** The pod will not run again (its containers are done, or it is being deleted). */
  terminal: boolean;
  /** The requests counted in the kubelet's active pods while admitted and not terminal. */
  counted?: Record<string, number>;
  deleting: boolean;
  /** Why the kubelet failed the pod itself, if it did. */
  failure?: { reason: string; message: string };
  deadlineTimer?: NodeJS.Timeout;
  /** Rewrites the pod's ServiceAccount tokens before they expire, as the kubelet's token manager does. */
  tokenRefresh?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  queue: Promise<void>;
  lastReported?: string;
}

const noEnvSources: EnvSources = {
  configMap: () => undefined,
  secret: () => undefined,
};

const DEFAULT_GRACE_SECONDS = 30;
/** How soon the kubelet retries a container whose config could not be built. */
const CONFIG_RETRY_MS = 10_000;
/** How often the kubelet's volume manager looks again for a claim to be bound. */
const VOLUME_RETRY_MS = 300;
/** How soon the kubelet tries again to write a volume whose source is missing. */
const MOUNT_RETRY_MS = 2_000;

function trackKey(kind: ContainerKind, name: string): string {
  return `${kind}/${name}`;
}

function isSidecar(container: V1Container): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * One node's kubelet: runs the pods bound to it on a ProcessRuntime, restarts
 * containers by restartPolicy with CrashLoopBackOff, pulls images from the
 * image catalog (a failed pull: ErrImagePull, then ImagePullBackOff), restarts only
 * the containers whose image changed on a pod update, and reports each new
 * pod status and event through its callbacks.
 */
export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly byContainerId = new Map<
    string,
    { worker: PodWorker; track: ContainerTrack }
  >();
  /** The images pulled on this node, by reference, with their imageIDs. */
  private readonly imagesPresent = new Map<string, string>();
  private readonly images: ImageCatalog;
  private readonly crashBackoff: Backoff;
  private readonly imageBackoff: Backoff;
  /** The active pods (workers not terminal), as admission counts them. */
  private readonly active: ActivePods = { count: 0, used: {} };
  /** Pod IPs in use, as offsets into the pod CIDR. */
  private readonly usedIps = new Map<string, number>();
  /** Offsets below `nextIpOffset` that were released, ascending. */
  private readonly freedIpOffsets: number[] = [];
  /** Every offset from here on is free (network and gateway addresses are 0 and 1). */
  private nextIpOffset = 2;
  /** Pods refused at admission (they stay Failed). */
  private readonly rejected = new Set<string>();
  private readonly onExit = (info: ContainerInfo, exit: ContainerExit) =>
    this.handleExit(info, exit);

  constructor(private readonly options: KubeletOptions) {
    const { initialMs, maxMs } = options.backoff ?? {
      initialMs: INITIAL_BACKOFF_MS,
      maxMs: MAX_BACKOFF_MS,
    };
    this.crashBackoff = new Backoff(initialMs, maxMs);
    this.imageBackoff = new Backoff(initialMs, maxMs);
    this.images = options.images ?? ImageCatalog.load();
    options.runtime.on('exit', this.onExit);
  }

  /** The runtime container currently backing a pod's container (for logs, exec and attach). */
  containerOf(
    podUid: string,
    containerName: string,
  ): ContainerInfo | undefined {
    return this.options.runtime.latest(podUid, containerName);
  }

  /** Starts or updates a pod bound to this node (call on every add and update). */
  syncPod(pod: V1Pod): void {
    const uid = pod.metadata!.uid!;
    let worker = this.workers.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      if (worker) {
        this.deletePod(pod);
      } else {
        this.rejected.delete(uid);
        this.options.onPodTerminated?.(pod);
      }
      return;
    }
    if (!worker) {
      // A pod that finished before this kubelet started is not run again.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
        return;
      if (this.rejected.has(uid) || this.rejectIfUnfit(pod)) return;
      worker = {
        pod,
        uid,
        podIP: pod.spec?.hostNetwork ? this.options.hostIP : this.allocateIp(),
        startTime: this.now(),
        tracks: new Map(),
        terminal: false,
        deleting: false,
        queue: Promise.resolve(),
      };
      this.workers.set(uid, worker);
      this.countActive(worker, 1);
      this.addTracks(worker);
      this.restoreLostContainers(worker);
      this.report(worker);
    }
    const current = worker;
    this.enqueue(current, async () => {
      if (current.deleting) return;
      const changed = containersToRestartForUpdate(current.pod, pod);
      current.pod = pod;
      this.armDeadline(current);
      this.addTracks(current);
      for (const name of changed) await this.replaceContainer(current, name);
      await this.sync(current);
    });
  }

  /**
   * Stops a pod's containers as for a deletion (SIGTERM, SIGKILL after the
   * grace period), reports its final status and forgets it. `syncPod` of a
   * pod with a deletionTimestamp does the same.
   */
  async deletePod(pod: V1Pod): Promise<void> {
    const worker = this.workers.get(pod.metadata!.uid!);
    if (!worker) return;
    worker.deleting = true;
    clearInterval(worker.tokenRefresh);
    clearTimeout(worker.timer);
    clearTimeout(worker.deadlineTimer);
    const grace =
      pod.metadata?.deletionGracePeriodSeconds ??
      pod.spec?.terminationGracePeriodSeconds ??
      DEFAULT_GRACE_SECONDS;
    await this.enqueue(worker, async () => {
      this.markTerminal(worker);
      await Promise.all(
        [...worker.tracks.values()]
          .filter(track => track.instance && !track.instance.exit)
          .map(track => {
            this.emit(
              kubeletEvents.killing(
                this.subject(worker, track),
                track.spec.name,
              ),
            );
            return this.options.runtime.stopContainer(
              track.instance!.id,
              grace,
            );
          }),
      );
      this.report(worker);
      await this.options.runtime.removePod(worker.uid);
      for (const track of worker.tracks.values()) {
        if (track.instance) this.byContainerId.delete(track.instance.id);
      }
      this.releaseIp(worker.podIP);
      this.countActive(worker, -1);
      this.workers.delete(worker.uid);
      this.options.onPodTerminated?.(worker.pod);
    });
  }

  /** Stops every pod (the node goes away). */
  async stop(): Promise<void> {
    this.options.runtime.off('exit', this.onExit);
    await Promise.all(
      [...this.workers.values()].map(worker => this.deletePod(worker.pod)),
    );
  }

  /** Marks a pod worker terminal: it no longer counts against the node's resources. */
  private markTerminal(worker: PodWorker): void {
    worker.terminal = true;
    clearInterval(worker.tokenRefresh);
    this.countActive(worker, -1);
  }

  /**
   * Keeps the count and summed requests of the active pods (the workers not
   * terminal) up to date, for admission; a pod's requests cannot change on
   * update.
   */
  private countActive(worker: PodWorker, sign: 1 | -1): void {
    if ((sign === 1) === Boolean(worker.counted)) return;
    const requests = worker.counted ?? podRequests(worker.pod);
    worker.counted = sign === 1 ? requests : undefined;
    this.active.count += sign;
    const used = this.active.used;
    for (const [resource, amount] of Object.entries(requests))
      used[resource] = (used[resource] ?? 0) + sign * amount;
  }

  /** Admission: a pod that does not fit the node fails at once, as the kubelet's rejectPod does. */
  private rejectIfUnfit(pod: V1Pod): boolean {
    const node = this.options.node?.();
    if (!node) return false;
    const rejection = admitPod(pod, node, this.active);
    if (!rejection) return false;
    this.rejected.add(pod.metadata!.uid!);
    this.emit({
      type: 'Warning',
      ...rejection,
      involvedObject: eventSubject(pod),
    });
    const status: V1PodStatus = {
      phase: 'Failed',
      reason: rejection.reason,
      message: `Pod was rejected: ${rejection.message}`,
      qosClass: pod.status?.qosClass ?? qosClass(pod),
    };
    this.options.onPodStatus({ ...pod, status }, status);
    return true;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /**
   * The lowest free pod IP of the node's pod CIDR (network, gateway and
   * broadcast addresses excluded): a released one, else the next never used.
   */
  private allocateIp(): string {
    const cidr = this.options.podCIDR ?? '127.244.0.0/24';
    const [address, prefixLength] = cidr.split('/');
    const size = 2 ** (32 - Number(prefixLength));
    let offset = this.freedIpOffsets.shift();
    if (offset === undefined) {
      if (this.nextIpOffset >= size - 1)
        throw new Error(`no pod IPs left in ${cidr}`);
      offset = this.nextIpOffset++;
    }
    const n =
      address.split('.').reduce((v, octet) => v * 256 + Number(octet), 0) +
      offset;
    const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    this.usedIps.set(ip, offset);
    return ip;
  }

  private releaseIp(ip: string): void {
    const offset = this.usedIps.get(ip);
    if (offset === undefined) return;
    this.usedIps.delete(ip);
    const freed = this.freedIpOffsets;
    let lo = 0;
    let hi = freed.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (freed[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    freed.splice(lo, 0, offset);
  }

  private enqueue(
    worker: PodWorker,
    operation: () => Promise<void>,
  ): Promise<void> {
    const next = worker.queue.then(operation, operation);
    worker.queue = next.catch(() => {});
    return next;
  }

  private addTracks(worker: PodWorker): void {
    const spec = worker.pod.spec!;
    const lists: Array<
      [ContainerKind, Array<V1Container | V1EphemeralContainer>]
    > = [
      ['initContainers', spec.initContainers ?? []],
      ['containers', spec.containers],
      ['ephemeralContainers', spec.ephemeralContainers ?? []],
    ];
    for (const [kind, containers] of lists) {
      for (const container of containers) {
        const key = trackKey(kind, container.name);
        const existing = worker.tracks.get(key);
        if (existing) {
          existing.spec = container;
          continue;
        }
        worker.tracks.set(key, {
          spec: container,
          kind,
          // Every container of a pod with init containers waits as PodInitializing.
          state: {
            waiting: {
              reason:
                (spec.initContainers ?? []).length > 0
                  ? 'PodInitializing'
                  : 'ContainerCreating',
            },
          },
          lastState: {},
          imageID: '',
          replacing: false,
          probes: [],
          startupPassed: false,
          readinessPassed: false,
          busy: false,
        });
      }
    }
  }

  /**
   * A pod this kubelet finds already started (the dev cluster was killed and
   * started again, as a node reboots): the containers it ran are gone. Each
   * is taken as its last instance, exited — one that was running with exit
   * 137, ContainerStatusUnknown — so sync restarts it only as restartPolicy
   * says, with restartCount + 1, and its earlier logs stay readable.
   */
  private restoreLostContainers(worker: PodWorker): void {
    const status = worker.pod.status;
    const reported: Array<[ContainerKind, V1ContainerStatus[] | undefined]> = [
      ['initContainers', status?.initContainerStatuses],
      ['containers', status?.containerStatuses],
      ['ephemeralContainers', status?.ephemeralContainerStatuses],
    ];
    const finishedAt = this.now();
    for (const [kind, statuses] of reported) {
      for (const previous of statuses ?? []) {
        const track = worker.tracks.get(trackKey(kind, previous.name));
        if (!track || !previous.containerID) continue;
        const { running, terminated } = previous.state ?? {};
        // A waiting container's last instance had already ended.
        const ended = terminated ?? previous.lastState?.terminated;
        const lost: V1ContainerStateTerminated = running
          ? {
              exitCode: 137,
              reason: 'ContainerStatusUnknown',
              message:
                'The container could not be located when the pod was deleted.  The container used to be Running',
              startedAt: running.startedAt,
              finishedAt,
              containerID: previous.containerID,
            }
          : ended ?? {
              exitCode: 137,
              reason: 'ContainerStatusUnknown',
              finishedAt,
              containerID: previous.containerID,
            };
        track.instance = this.options.runtime.recordLostContainer(
          {
            podUid: worker.uid,
            podName: worker.pod.metadata!.name!,
            namespace: worker.pod.metadata!.namespace ?? 'default',
            name: previous.name,
            image: track.spec.image ?? '',
          },
          {
            id: lost.containerID ?? previous.containerID,
            attempt: previous.restartCount ?? 0,
            startedAt: new Date(lost.startedAt ?? finishedAt),
            exit: {
              exitCode: lost.exitCode,
              finishedAt: new Date(lost.finishedAt ?? finishedAt),
            },
          },
        );
        track.imageID = previous.imageID ?? '';
        track.state = { terminated: lost };
        if (running) track.lastState = previous.lastState ?? {};
        else if (!terminated) track.lastState = {};
        else track.lastState = previous.lastState ?? {};
      }
    }
  }

  private tracksOf(worker: PodWorker, kind: ContainerKind): ContainerTrack[] {
    return [...worker.tracks.values()].filter(track => track.kind === kind);
  }

  /** One pass of the kubelet's SyncPod: start what should run, in order. */
  private async sync(worker: PodWorker): Promise<void> {
    if (worker.terminal || worker.deleting) return;
    const restartPolicy = worker.pod.spec?.restartPolicy ?? 'Always';
    for (const track of this.tracksOf(worker, 'ephemeralContainers')) {
      if (!track.instance && !track.busy)
        await this.startContainer(worker, track, false);
    }
    for (const track of this.tracksOf(worker, 'initContainers')) {
      const spec = track.spec as V1Container;
      if (isSidecar(spec)) {
        if (!track.instance || track.instance.exit)
          await this.startContainer(worker, track, Boolean(track.instance));
        if (!track.state.running) {
          this.report(worker);
          return;
        }
        continue;
      }
      const exit = track.instance?.exit;
      if (exit?.exitCode === 0) continue;
      if (exit && restartPolicy === 'Never') {
        await this.finish(worker);
        return;
      }
      // One regular init container at a time: start it, or wait for it.
      if (!track.instance || exit)
        await this.startContainer(worker, track, Boolean(exit));
      this.report(worker);
      return;
    }
    let anyWillRun = false;
    for (const track of this.tracksOf(worker, 'containers')) {
      const exit = track.instance?.exit;
      if (track.instance && !exit) {
        anyWillRun = true;
        continue;
      }
      const restart =
        !exit ||
        restartPolicy === 'Always' ||
        (restartPolicy === 'OnFailure' && exit.exitCode !== 0);
      if (!restart) continue;
      anyWillRun = true;
      await this.startContainer(worker, track, Boolean(exit));
    }
    if (anyWillRun) this.report(worker);
    else await this.finish(worker);
  }

  /** All regular containers are done for good: stop sidecars and report the terminal phase. */
  private async finish(worker: PodWorker): Promise<void> {
    this.markTerminal(worker);
    clearTimeout(worker.timer);
    clearTimeout(worker.deadlineTimer);
    const grace =
      worker.pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    await Promise.all(
      [...worker.tracks.values()]
        .filter(track => track.instance && !track.instance.exit)
        .map(track =>
          this.options.runtime.stopContainer(track.instance!.id, grace),
        ),
    );
    this.report(worker);
  }

  /** Schedules the end of spec.activeDeadlineSeconds, counted from the pod's start. */
  private armDeadline(worker: PodWorker): void {
    clearTimeout(worker.deadlineTimer);
    const seconds = worker.pod.spec?.activeDeadlineSeconds;
    if (seconds === undefined || worker.terminal) return;
    const at = worker.startTime.getTime() + seconds * 1000;
    worker.deadlineTimer = setTimeout(
      () => this.enqueue(worker, () => this.exceedDeadline(worker)),
      Math.max(0, at - this.now().getTime()),
    );
  }

  /** The pod outlived its deadline: kill its containers and fail it (DeadlineExceeded). */
  private async exceedDeadline(worker: PodWorker): Promise<void> {
    if (worker.terminal || worker.deleting) return;
    this.markTerminal(worker);
    worker.failure = {
      reason: 'DeadlineExceeded',
      message: ACTIVE_DEADLINE_MESSAGE,
    };
    clearTimeout(worker.timer);
    this.emit(kubeletEvents.deadlineExceeded(eventSubject(worker.pod)));
    const grace =
      worker.pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    await Promise.all(
      [...worker.tracks.values()]
        .filter(track => track.instance && !track.instance.exit)
        .map(track => {
          this.emit(
            kubeletEvents.killing(this.subject(worker, track), track.spec.name),
          );
          return this.options.runtime.stopContainer(track.instance!.id, grace);
        }),
    );
    this.report(worker);
  }

  /** Restarts a running container whose image changed: same pod, restartCount + 1, new IDs. */
  private async replaceContainer(
    worker: PodWorker,
    name: string,
  ): Promise<void> {
    const track =
      worker.tracks.get(trackKey('containers', name)) ??
      worker.tracks.get(trackKey('initContainers', name));
    if (!track?.instance || track.instance.exit) return;
    this.emit(
      kubeletEvents.definitionChanged(this.subject(worker, track), name),
    );
    track.replacing = true;
    try {
      await this.options.runtime.stopContainer(
        track.instance.id,
        worker.pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS,
      );
    } finally {
      track.replacing = false;
    }
    track.replacedInstanceId = track.instance.id;
    await this.startContainer(worker, track, false);
    // What this start came to (e.g. ErrImagePull) is reported before the
    // sync that follows tries again.
    this.report(worker);
  }

  /** Pulls the image, builds the config and starts one container, honouring back-offs. */
  private async startContainer(
    worker: PodWorker,
    track: ContainerTrack,
    afterExit: boolean,
  ): Promise<void> {
    if (track.busy) return;
    track.busy = true;
    try {
      await this.tryStart(worker, track, afterExit);
    } finally {
      track.busy = false;
    }
  }

  private async tryStart(
    worker: PodWorker,
    track: ContainerTrack,
    afterExit: boolean,
  ): Promise<void> {
    const { spec } = track;
    const subject = this.subject(worker, track);
    const nowMs = this.now().getTime();
    if (
      afterExit &&
      track.instance?.exit &&
      track.instance.id !== track.replacedInstanceId
    ) {
      // Keyed by the image too, as the kubelet keys it by the container's
      // spec hash: a new image starts with a fresh back-off.
      const key = `${worker.uid}/${spec.name}/${spec.image}`;
      const finishedAt = track.instance.exit.finishedAt.getTime();
      if (this.crashBackoff.isInBackOffSince(key, finishedAt, nowMs)) {
        const delay = this.crashBackoff.get(key);
        if (track.state.terminated)
          track.lastState = { terminated: track.state.terminated };
        track.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: crashLoopMessage(delay, spec.name, worker.pod),
          },
        };
        this.emit(
          kubeletEvents.backOffRestarting(subject, spec.name, worker.pod),
        );
        this.retryAt(worker, finishedAt + delay);
        return;
      }
      this.crashBackoff.next(key, finishedAt, nowMs);
    }

    const volumeMounts = this.volumeMounts(worker.pod, spec);
    if (!volumeMounts) {
      track.state = { waiting: { reason: 'ContainerCreating' } };
      this.retryAt(worker, nowMs + VOLUME_RETRY_MS);
      return;
    }
    const mountFailure = await this.writeVolumes(worker, spec);
    if (mountFailure) {
      track.state = { waiting: { reason: 'ContainerCreating' } };
      this.emit(
        kubeletEvents.failedMount(
          eventSubject(worker.pod),
          mountFailure.volume,
          mountFailure.error,
        ),
      );
      this.retryAt(worker, nowMs + MOUNT_RETRY_MS);
      return;
    }

    const image = spec.image ?? '';
    const decision = decideImagePull(spec, this.imagesPresent.has(image));
    if (decision.action === 'never') {
      track.state = {
        waiting: { reason: 'ErrImageNeverPull', message: decision.message },
      };
      this.emit(kubeletEvents.errImageNeverPull(subject, decision.message));
      this.emit(kubeletEvents.failed(subject, 'ErrImageNeverPull'));
      return;
    }
    let imageID = this.imagesPresent.get(image);
    if (decision.action === 'present') {
      this.emit(kubeletEvents.alreadyPresent(subject, image));
    } else {
      const pull = this.images.pull(image);
      const pullKey = `${worker.uid}_${image}`;
      if (this.imageBackoff.isInBackOffSinceUpdate(pullKey, nowMs)) {
        track.state = {
          waiting: {
            reason: 'ImagePullBackOff',
            message: imagePullBackOffMessage(
              image,
              pull.ok ? undefined : pull.message,
            ),
          },
        };
        this.emit(kubeletEvents.backOffPulling(subject, image));
        this.emit(kubeletEvents.failed(subject, 'ImagePullBackOff'));
        this.retryAt(
          worker,
          this.imageBackoff.endOfBackOffSinceUpdate(pullKey),
        );
        return;
      }
      this.emit(kubeletEvents.pulling(subject, image));
      if (!pull.ok) {
        track.state = {
          waiting: { reason: 'ErrImagePull', message: pull.message },
        };
        this.emit(kubeletEvents.failedToPull(subject, image, pull.message));
        this.emit(kubeletEvents.failed(subject, 'ErrImagePull'));
        this.imageBackoff.next(pullKey, nowMs, nowMs);
        // The next sync comes soon (as the kubelet's pod worker requeues a
        // failed sync) and finds the image in back-off.
        this.retryAt(worker, nowMs);
        return;
      }
      if (pull.pullMs > 0)
        await new Promise(done => setTimeout(done, pull.pullMs));
      this.imageBackoff.reset(pullKey);
      imageID = pull.imageID;
      this.imagesPresent.set(image, imageID);
      this.emit(
        kubeletEvents.pulled(
          subject,
          image,
          pull.pullMs / 1000,
          pull.sizeBytes,
        ),
      );
    }

    let env: Record<string, string>;
    try {
      env = resolveContainerEnv(
        worker.pod,
        spec,
        this.options.envSources ?? noEnvSources,
        {
          hostIP: this.options.hostIP,
          podIP: worker.podIP,
          nodeAllocatable: this.options.nodeAllocatable,
          serviceEnv:
            typeof this.options.serviceEnv === 'function'
              ? this.options.serviceEnv(worker.pod)
              : this.options.serviceEnv,
        },
      );
    } catch (error) {
      if (!(error instanceof CreateContainerConfigError)) throw error;
      track.state = {
        waiting: {
          reason: 'CreateContainerConfigError',
          message: error.message,
        },
      };
      this.emit(kubeletEvents.failed(subject, error.message));
      this.retryAt(worker, nowMs + CONFIG_RETRY_MS);
      return;
    }

    const previous = track.instance;
    if (previous?.exit)
      track.lastState = {
        terminated: track.state.terminated ?? terminatedState(previous),
      };
    try {
      await this.checkPorts(worker, track);
      const instance = await this.options.runtime.startContainer({
        podUid: worker.uid,
        podName: worker.pod.metadata!.name!,
        namespace: worker.pod.metadata!.namespace ?? 'default',
        hostname: worker.pod.spec?.hostname || worker.pod.metadata!.name!,
        podIP: worker.podIP,
        name: spec.name,
        image,
        command: spec.command,
        args: spec.args,
        env,
        workingDir: spec.workingDir,
        stdin: spec.stdin,
        stdinOnce: spec.stdinOnce,
        tty: spec.tty,
        volumeMounts,
      });
      this.adopt(worker, track, instance, imageID ?? '');
      this.emit(kubeletEvents.created(subject, spec.name));
      this.emit(kubeletEvents.started(subject, spec.name));
      track.state = { running: { startedAt: instance.startedAt } };
      this.startProbes(worker, track, instance);
      // It may have ended before the runtime's start returned (a sandbox
      // is awaited until set up), before it was this kubelet's to hear of.
      if (instance.exit) this.handleExit(instance, instance.exit);
    } catch (error) {
      if (!(error instanceof ContainerStartError)) throw error;
      // The instance ends at once with StartError, as containerd's does.
      const instance = error.container;
      this.adopt(worker, track, instance, imageID ?? '');
      this.emit(kubeletEvents.created(subject, spec.name));
      this.emit(kubeletEvents.failed(subject, error.message));
      track.state = {
        terminated: {
          ...terminatedState(instance),
          reason: 'StartError',
          message: error.message,
          startedAt: new Date(0),
        },
      };
      this.retryAt(worker, this.now().getTime());
    }
  }

  /**
   * Writes the files of the configMap, secret, downwardAPI and projected
   * volumes the container mounts (afresh at each start, so it sees the
   * objects as they are then); the first that cannot be written, if any.
   */
  private async writeVolumes(
    worker: PodWorker,
    spec: V1Container | V1EphemeralContainer,
  ): Promise<{ volume: string; error: string } | undefined> {
    const failure = await this.writeVolumeFiles(
      worker,
      new Set((spec.volumeMounts ?? []).map(m => m.name)),
    );
    if (!failure) this.armTokenRefresh(worker);
    return failure;
  }

  /**
   * Every 80 % of the shortest token lifetime among the pod's projected
   * volumes, writes their tokens anew (the kubelet renews them at 80 % of
   * their TTL), so a long-running pod's in-cluster client stays signed in.
   */
  private armTokenRefresh(worker: PodWorker): void {
    if (worker.tokenRefresh) return;
    const withTokens = (worker.pod.spec?.volumes ?? []).filter(volume =>
      volume.projected?.sources?.some(source => source.serviceAccountToken),
    );
    if (!withTokens.length) return;
    const seconds = Math.min(
      ...withTokens.flatMap(volume =>
        (volume.projected!.sources ?? []).flatMap(source =>
          source.serviceAccountToken
            ? [source.serviceAccountToken.expirationSeconds ?? 3600]
            : [],
        ),
      ),
    );
    const names = new Set(withTokens.map(volume => volume.name));
    worker.tokenRefresh = setInterval(
      // A refresh that fails (the pod's directory removed as it ends) is
      // not retried sooner than the next.
      () => this.writeVolumeFiles(worker, names).catch(() => {}),
      seconds * 800,
    );
  }

  /**
   * Writes the files of the pod's volumes named; the first that cannot be
   * written, if any. Asynchronously: with 10,000 pods starting, these
   * mkdir and open calls held the API server's thread for seconds.
   */
  private async writeVolumeFiles(
    worker: PodWorker,
    names: Set<string>,
  ): Promise<{ volume: string; error: string } | undefined> {
    for (const volume of worker.pod.spec?.volumes ?? []) {
      if (!names.has(volume.name)) continue;
      const content = volumeContent(
        worker.pod,
        volume,
        this.options.envSources ?? noEnvSources,
      );
      if (!content) continue;
      if ('error' in content)
        return { volume: volume.name, error: content.error };
      // Rewritten in place: running containers of the pod have the directory mounted.
      const directory = this.options.runtime.volumeDir(worker.uid, volume.name);
      // Made just now (the pod's first start), it holds nothing stale: a
      // pod's start costs no scan, and files at the top need no mkdir.
      const made = (await mkdir(directory, { recursive: true })) !== undefined;
      const paths = new Set(content.files.map(file => file.path));
      for (const stale of made
        ? []
        : await readdir(directory, { recursive: true })) {
        if (
          !paths.has(String(stale)) &&
          !(await stat(join(directory, String(stale)))).isDirectory()
        )
          await rm(join(directory, String(stale)), { force: true });
      }
      await Promise.all(
        content.files.map(async file => {
          const path = join(directory, file.path);
          if (file.path.includes('/'))
            await mkdir(dirname(path), { recursive: true });
          await writeFile(path, file.data, { mode: file.mode });
        }),
      );
    }
    return undefined;
  }

  /**
   * Pods share the host's network: a declared TCP port that another process
   * already holds on the pod's address would make the container fail to
   * bind it. Say so in an event before it starts (it starts all the same, as
   * the port may be held by what it is meant to share it with).
   */
  private async checkPorts(
    worker: PodWorker,
    track: ContainerTrack,
  ): Promise<void> {
    if (worker.pod.spec?.hostNetwork) return;
    for (const port of (track.spec as V1Container).ports ?? []) {
      if ((port.protocol ?? 'TCP') !== 'TCP') continue;
      const address = `${worker.podIP}:${port.containerPort}`;
      if (await portHeld(worker.podIP, port.containerPort))
        this.emit(
          kubeletEvents.portInUse(
            this.subject(worker, track),
            track.spec.name,
            address,
          ),
        );
    }
  }

  /** The container's mounts with their volumes' directories; undefined while a claim is not bound. */
  private volumeMounts(
    pod: V1Pod,
    spec: V1Container | V1EphemeralContainer,
  ): RuntimeVolumeMount[] | undefined {
    const mounts: RuntimeVolumeMount[] = [];
    for (const mount of spec.volumeMounts ?? []) {
      const claim = pod.spec?.volumes?.find(v => v.name === mount.name)
        ?.persistentVolumeClaim?.claimName;
      const volume = pod.spec?.volumes?.find(v => v.name === mount.name);
      let hostPath: string | undefined = volume?.hostPath?.path;
      if (claim && this.options.claimDirectory) {
        hostPath = this.options.claimDirectory(
          pod.metadata!.namespace ?? 'default',
          claim,
        );
        if (!hostPath) return undefined;
      }
      // Kubernetes mounts these read-only whatever the mount says.
      const readOnly =
        mount.readOnly ||
        Boolean(
          volume?.configMap ||
            volume?.secret ||
            volume?.downwardAPI ||
            volume?.projected,
        );
      mounts.push({
        name: mount.name,
        mountPath: mount.mountPath,
        subPath: mount.subPath,
        ...(hostPath ? { hostPath } : {}),
        ...(readOnly ? { readOnly } : {}),
      });
    }
    return mounts;
  }

  private adopt(
    worker: PodWorker,
    track: ContainerTrack,
    instance: ContainerInfo,
    imageID: string,
  ): void {
    if (track.instance) this.byContainerId.delete(track.instance.id);
    track.instance = instance;
    track.imageID = imageID;
    this.byContainerId.set(instance.id, { worker, track });
  }

  private handleExit(info: ContainerInfo, exit: ContainerExit): void {
    const owner = this.byContainerId.get(info.id);
    if (!owner) return;
    const { worker, track } = owner;
    this.stopProbes(track);
    const terminated = terminatedState(info, exit);
    const message = this.terminationMessage(track, info, exit);
    track.state = {
      terminated: message ? { ...terminated, message } : terminated,
    };
    if (track.replacing || worker.deleting) return;
    this.report(worker);
    this.enqueue(worker, () => this.sync(worker));
  }

  /**
   * Starts the container's probes: startup first; readiness and liveness
   * once it has passed. Results update readiness; a failed liveness or
   * startup probe kills the container, which restarts per restartPolicy.
   */
  private startProbes(
    worker: PodWorker,
    track: ContainerTrack,
    instance: ContainerInfo,
  ): void {
    const spec = track.spec as V1Container;
    track.startupPassed = !spec.startupProbe;
    track.readinessPassed = !spec.readinessProbe;
    const subject = this.subject(worker, track);
    const probeWorker = (
      kind: ProbeKind,
      probe: V1Probe,
      onResult: (success: boolean) => void,
    ) => {
      const probeRun = new ProbeWorker(
        kind,
        probe,
        () =>
          runProbe(
            probe,
            spec,
            this.options.runtime,
            instance.id,
            worker.podIP,
          ),
        output => this.emit(kubeletEvents.unhealthy(subject, kind, output)),
        onResult,
      );
      track.probes.push(probeRun);
      probeRun.start();
    };
    const startOthers = () => {
      if (spec.readinessProbe) {
        probeWorker('Readiness', spec.readinessProbe, success => {
          track.readinessPassed = success;
          this.report(worker);
        });
      }
      if (spec.livenessProbe) {
        probeWorker('Liveness', spec.livenessProbe, success => {
          if (!success)
            this.killForProbe(
              worker,
              track,
              instance,
              'liveness',
              spec.livenessProbe!,
            );
        });
      }
    };
    if (spec.startupProbe) {
      probeWorker('Startup', spec.startupProbe, success => {
        if (success) {
          track.startupPassed = true;
          this.report(worker);
          startOthers();
        } else {
          this.killForProbe(
            worker,
            track,
            instance,
            'startup',
            spec.startupProbe!,
          );
        }
      });
    } else {
      startOthers();
    }
  }

  private stopProbes(track: ContainerTrack): void {
    for (const probe of track.probes) probe.stop();
    track.probes = [];
  }

  private killForProbe(
    worker: PodWorker,
    track: ContainerTrack,
    instance: ContainerInfo,
    kind: 'liveness' | 'startup',
    probe: V1Probe,
  ): void {
    this.enqueue(worker, async () => {
      if (instance.exit || worker.deleting || track.instance !== instance)
        return;
      const restart = (worker.pod.spec?.restartPolicy ?? 'Always') !== 'Never';
      const message = `Container ${track.spec.name} failed ${kind} probe${
        restart ? ', will be restarted' : ''
      }`;
      this.emit(
        kubeletEvents.killing(
          this.subject(worker, track),
          track.spec.name,
          message,
        ),
      );
      await this.options.runtime.stopContainer(
        instance.id,
        probe.terminationGracePeriodSeconds ??
          worker.pod.spec?.terminationGracePeriodSeconds ??
          DEFAULT_GRACE_SECONDS,
      );
    });
  }

  /**
   * With `terminationMessagePolicy: FallbackToLogsOnError`, a failed
   * container's message is the end of its log (80 lines, 2048 bytes at most).
   */
  private terminationMessage(
    track: ContainerTrack,
    info: ContainerInfo,
    exit: ContainerExit,
  ): string | undefined {
    if (
      track.spec.terminationMessagePolicy !== 'FallbackToLogsOnError' ||
      exit.exitCode === 0
    ) {
      return undefined;
    }
    const tail =
      this.options.runtime.readContainerLogs(info.id, { tailLines: 80 }) ?? '';
    const bytes = Buffer.from(tail);
    return (
      bytes.subarray(Math.max(0, bytes.length - 2048)).toString() || undefined
    );
  }

  /** Schedules a sync; a pod keeps only its earliest pending retry. */
  private retryAt(worker: PodWorker, atMs: number): void {
    if (worker.deleting) return;
    if (worker.timer && worker.timerAt !== undefined && worker.timerAt <= atMs)
      return;
    clearTimeout(worker.timer);
    worker.timerAt = atMs;
    worker.timer = setTimeout(() => {
      worker.timer = undefined;
      worker.timerAt = undefined;
      this.enqueue(worker, () => this.sync(worker));
    }, Math.max(0, atMs - this.now().getTime()));
  }

  private subject(worker: PodWorker, track: ContainerTrack) {
    return eventSubject(worker.pod, {
      name: track.spec.name,
      kind: track.kind,
    });
  }

  private emit(event: KubeletEvent): void {
    this.options.onEvent(event);
  }

  private containerStatus(track: ContainerTrack): V1ContainerStatus {
    const running = Boolean(track.state.running);
    const spec = track.spec;
    const status: V1ContainerStatus = {
      name: spec.name,
      image: track.instance
        ? normalizedImage(spec.image ?? '')
        : spec.image ?? '',
      imageID: track.imageID,
      ready:
        track.kind === 'initContainers' && !isSidecar(spec as V1Container)
          ? track.state.terminated?.exitCode === 0
          : running && track.startupPassed && track.readinessPassed,
      started: running && track.startupPassed,
      restartCount: Math.max(0, track.instance?.attempt ?? 0),
      state: track.state,
      lastState: track.lastState,
    };
    if (track.instance) status.containerID = track.instance.id;
    return status;
  }

  private report(worker: PodWorker): void {
    const statuses = (kind: ContainerKind) =>
      this.tracksOf(worker, kind).map(track => this.containerStatus(track));
    // The kubelet lists containers by name (names are unique in a pod).
    const containerStatuses = statuses('containers').sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    const status = buildPodStatus(worker.pod, {
      initContainerStatuses: statuses('initContainers'),
      containerStatuses,
      ephemeralContainerStatuses: statuses('ephemeralContainers'),
      hostIP: this.options.hostIP,
      podIP: worker.podIP,
      startTime: worker.startTime,
      sandboxReady: !worker.terminal,
      podIsTerminal: worker.terminal,
      failure: worker.failure,
      now: this.now(),
    });
    // Conditions are a list-map keyed by type: the API server's copy may
    // hold the same ones in another order (a controller's patch appends its
    // readiness gate's), which is no change.
    const comparable = JSON.stringify({
      ...status,
      conditions: status.conditions
        ?.map(c => [c.type, c.status, c.reason, c.message])
        .sort(([a], [b]) => a!.localeCompare(b!)),
    });
    if (comparable === worker.lastReported) return;
    worker.lastReported = comparable;
    worker.pod = { ...worker.pod, status };
    this.options.onPodStatus(worker.pod, status);
  }
}

/** Whether something listens on host:port (a listen there would fail with EADDRINUSE). */
function portHeld(host: string, port: number): Promise<boolean> {
  return new Promise(resolvePromise => {
    const server = createServer();
    server.once('error', error =>
      resolvePromise((error as NodeJS.ErrnoException).code === 'EADDRINUSE'),
    );
    server.listen({ host, port, exclusive: true }, () =>
      server.close(() => resolvePromise(false)),
    );
  });
}

function terminatedState(
  info: ContainerInfo,
  exit: ContainerExit | undefined = info.exit,
) {
  const exitCode = exit?.exitCode ?? 0;
  return {
    exitCode,
    ...(exit?.signal ? { signal: signalNumber(exit.signal) } : {}),
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: info.startedAt,
    finishedAt: exit?.finishedAt ?? new Date(),
    containerID: info.id,
  };
}

function signalNumber(name: string): number | undefined {
  return osConstants.signals[name as NodeJS.Signals];
}
