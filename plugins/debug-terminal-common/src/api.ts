import type { DebugMode, DebugPhase, DebugProfile } from '@cairn/operators-api';
import type { ClusterError } from '@cairn/plugin-kubernetes-common';

export type { ClusterError } from '@cairn/plugin-kubernetes-common';

/*
 * The shapes the debug terminal backend serves and the frontend reads: one
 * definition for both sides of `/api/debug-terminal`. Phases, modes and
 * profiles are the DebugSession API's (`@cairn/operators-api`).
 */

/** Identifies a DebugSession. @public */
export interface DebugSessionRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** What the lists show of a session (`GET /sessions`). @public */
export interface DebugSessionSummary extends DebugSessionRef {
  entityRef: string;
  podName: string;
  targetContainer: string;
  toolkit?: string;
  image?: string;
  profile?: DebugProfile;
  mode: DebugMode;
  /** Unset until the controller has seen the session. */
  phase?: DebugPhase;
  requestedBy?: string;
  createdAt?: string;
  expiresAt?: string;
  endedAt?: string;
}

/** One session with what the controller reports (`GET /sessions/:cluster/:namespace/:name`). @public */
export interface DebugSessionDetail extends DebugSessionSummary {
  /** The debug container to attach to, once the controller has added it. */
  containerName?: string;
  /** The copy of the pod, in copy mode. */
  copyPodName?: string;
  startedAt?: string;
  /** Why the session is (not) ready or ended: the Ready condition's reason and message. */
  reason?: string;
  message?: string;
}

/** @public */
export interface DebugSessionList {
  items: DebugSessionSummary[];
}

/** A container of a pod, as the pods list shows it. @public */
export interface DebugContainerSummary {
  name: string;
  image?: string;
  /** What the container is doing now. */
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Why it waits or ended (CrashLoopBackOff, Completed, …). */
  reason?: string;
  ready: boolean;
  restartCount: number;
}

/** One of the entity's pods (`GET /pods`). @public */
export interface DebugPodSummary {
  cluster: string;
  namespace: string;
  name: string;
  /** Running, Pending, … */
  phase?: string;
  createdAt?: string;
  containers: DebugContainerSummary[];
  /** Debug (ephemeral) containers added to the pod so far. */
  debugContainers: DebugContainerSummary[];
}

/** The entity's pods on every cluster that answered. @public */
export interface DebugPodList {
  items: DebugPodSummary[];
  clusterErrors: ClusterError[];
}

/** A toolkit as the portal offers it (`GET /toolkits`). @public */
export interface DebugToolkitOption {
  name: string;
  image: string;
  profile: DebugProfile;
  description: string;
}

/** @public */
export interface DebugToolkitList {
  items: DebugToolkitOption[];
  /** The caller may also name an image outside the catalog. */
  customImageAllowed: boolean;
  maxTtlSeconds: number;
}

/**
 * WebSocket close codes of the terminal sockets (4000–4999: the
 * application's own), with the reason in the close frame.
 * @public
 */
export const TERMINAL_CLOSE_CODES = {
  /** The process ended, or the cluster closed the stream. */
  ended: 4000,
  /** No or a bad Backstage token. */
  unauthenticated: 4001,
  /** The permission is denied, or the pod is not the entity's. */
  forbidden: 4003,
  /** No such session or pod. */
  notFound: 4004,
  /** The session is not Active (Pending, Expired, Failed, Ended). */
  notActive: 4009,
  /** The request is malformed. */
  badRequest: 4400,
  /** Too many sessions of this user at once. */
  tooMany: 4029,
  /** Nothing was typed or printed for the configured idle time. */
  idle: 4008,
  /** The cluster refused or failed the stream. */
  clusterError: 4502,
} as const;

/** A recorded terminal session (`GET /recordings`). @public */
export interface TerminalRecordingSummary {
  id: number;
  kind: 'attach' | 'shell';
  userEntityRef: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  toolkit?: string;
  sessionName?: string;
  startedAt: string;
  endedAt?: string;
  bytesIn: number;
  bytesOut: number;
  /** The size cap cut the recording short. */
  truncated: boolean;
}
