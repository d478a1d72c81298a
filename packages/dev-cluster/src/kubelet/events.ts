import type {
  CoreV1Event,
  V1ObjectReference,
  V1Pod,
} from '@kubernetes/client-node';
import { eventName } from '../machinery/eventName';
import { formatGoDuration } from './backoff';

/** An event the kubelet records about a pod or one of its containers. */
export interface KubeletEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: V1ObjectReference;
}

/** Which list of the pod spec a container belongs to. */
export type ContainerKind =
  | 'containers'
  | 'initContainers'
  | 'ephemeralContainers';

/** The pod, or one of its containers (`fieldPath: spec.containers{name}`), as an event's subject. */
export function eventSubject(
  pod: V1Pod,
  container?: { name: string; kind?: ContainerKind },
): V1ObjectReference {
  const reference: V1ObjectReference = {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: pod.metadata?.namespace,
    name: pod.metadata?.name,
    uid: pod.metadata?.uid,
    resourceVersion: pod.metadata?.resourceVersion,
  };
  if (container) {
    reference.fieldPath = `spec.${container.kind ?? 'containers'}{${
      container.name
    }}`;
  }
  return reference;
}

/** How the kubelet names a pod in messages: `name_namespace(uid)`. */
export function formatPod(pod: V1Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

type Subject = V1ObjectReference;

const normal = (
  reason: string,
  message: string,
  involvedObject: Subject,
): KubeletEvent => ({
  type: 'Normal',
  reason,
  message,
  involvedObject,
});
const warning = (
  reason: string,
  message: string,
  involvedObject: Subject,
): KubeletEvent => ({
  type: 'Warning',
  reason,
  message,
  involvedObject,
});

/** Why the kubelet fails a pod that outlives spec.activeDeadlineSeconds. */
export const ACTIVE_DEADLINE_MESSAGE =
  'Pod was active on the node longer than the specified deadline';

/** The kubelet's events, with its reasons and messages. */
export const kubeletEvents = {
  pulling: (subject: Subject, image: string) =>
    normal('Pulling', `Pulling image "${image}"`, subject),
  pulled: (
    subject: Subject,
    image: string,
    seconds: number,
    sizeBytes: number,
  ) =>
    normal(
      'Pulled',
      `Successfully pulled image "${image}" in ${formatSeconds(
        seconds,
      )} (${formatSeconds(
        seconds,
      )} including waiting). Image size: ${sizeBytes} bytes.`,
      subject,
    ),
  alreadyPresent: (subject: Subject, image: string) =>
    normal(
      'Pulled',
      `Container image "${image}" already present on machine`,
      subject,
    ),
  failedToPull: (subject: Subject, image: string, error: string) =>
    warning('Failed', `Failed to pull image "${image}": ${error}`, subject),
  /** `Error: ErrImagePull`, `Error: ImagePullBackOff`, `Error: <start error>`: the container could not be created. */
  failed: (subject: Subject, error: string) =>
    warning('Failed', `Error: ${error}`, subject),
  errImageNeverPull: (subject: Subject, message: string) =>
    warning('ErrImageNeverPull', message, subject),
  backOffPulling: (subject: Subject, image: string) =>
    normal('BackOff', `Back-off pulling image "${image}"`, subject),
  created: (subject: Subject, container: string) =>
    normal('Created', `Created container: ${container}`, subject),
  started: (subject: Subject, container: string) =>
    normal('Started', `Started container ${container}`, subject),
  killing: (subject: Subject, container: string, reason?: string) =>
    normal('Killing', reason ?? `Stopping container ${container}`, subject),
  definitionChanged: (subject: Subject, container: string) =>
    normal(
      'Killing',
      `Container ${container} definition changed, will be restarted`,
      subject,
    ),
  unhealthy: (subject: Subject, kind: string, output: string) =>
    warning('Unhealthy', `${kind} probe failed: ${output}`, subject),
  deadlineExceeded: (subject: Subject) =>
    warning('DeadlineExceeded', ACTIVE_DEADLINE_MESSAGE, subject),
  /** A volume's files could not be written (its ConfigMap, Secret or token is missing); on the pod. */
  failedMount: (subject: Subject, volume: string, error: string) =>
    warning(
      'FailedMount',
      `MountVolume.SetUp failed for volume "${volume}" : ${error}`,
      subject,
    ),
  /** A declared port another process of this host holds: without network namespaces, pods share the host's ports. */
  portInUse: (subject: Subject, container: string, address: string) =>
    warning(
      'PortInUse',
      `Container ${container} declares port ${address}, which another process holds (pods share the host's network; bind the pod's IP, $POD_IP, to share a port between replicas): listen tcp ${address}: bind: address already in use`,
      subject,
    ),
  backOffRestarting: (subject: Subject, container: string, pod: V1Pod) =>
    warning(
      'BackOff',
      `Back-off restarting failed container ${container} in pod ${formatPod(
        pod,
      )}`,
      subject,
    ),
};

/** The waiting message of a container in CrashLoopBackOff. */
export function crashLoopMessage(
  delayMs: number,
  container: string,
  pod: V1Pod,
): string {
  return `back-off ${formatGoDuration(
    delayMs,
  )} restarting failed container=${container} pod=${formatPod(pod)}`;
}

/** The waiting message of a container in ImagePullBackOff (since v1.32 it carries the pull error). */
export function imagePullBackOffMessage(
  image: string,
  pullError?: string,
): string {
  const base = `Back-off pulling image "${image}"`;
  return pullError ? `${base}: ErrImagePull: ${pullError}` : base;
}

/** Go's %v of a time.Duration truncated to milliseconds, as the Pulled event prints it. */
function formatSeconds(seconds: number): string {
  const ms = Math.floor(seconds * 1000);
  if (ms === 0) return '0s';
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

/** A core/v1 Event object for an event, as the kubelet's recorder would create it. */
export function toEventObject(
  event: KubeletEvent,
  nodeName: string,
  now: Date = new Date(),
): CoreV1Event {
  const subject = event.involvedObject;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(subject.name ?? '', now),
      namespace: subject.namespace ?? 'default',
    },
    involvedObject: subject,
    reason: event.reason,
    message: event.message,
    type: event.type,
    source: { component: 'kubelet', host: nodeName },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
  };
}
