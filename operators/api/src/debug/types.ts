import type { V1ObjectMeta } from '@kubernetes/client-node';

/*
 * `debug.cairn.dev/v1alpha1` DebugSession: a time-limited debug container in
 * (or next to) a running pod, as `kubectl debug` creates one, kept by a
 * controller that ends it at its TTL or when the session is deleted.
 */

/** `kubectl debug --profile` values (without the deprecated `legacy`). @public */
export const DEBUG_PROFILES = [
  'general',
  'baseline',
  'restricted',
  'netadmin',
  'sysadmin',
] as const;

/** @public */
export type DebugProfile = (typeof DEBUG_PROFILES)[number];

/**
 * `ephemeral`: an ephemeral container in the pod itself (`kubectl debug
 * POD --target`). `copy`: a copy of the pod with the target's command
 * replaced by a sleep and a debug container added (`kubectl debug POD
 * --copy-to`), for pods that crash before anyone can look inside.
 * @public
 */
export const DEBUG_MODES = ['ephemeral', 'copy'] as const;

/** @public */
export type DebugMode = (typeof DEBUG_MODES)[number];

/** @public */
export const DEBUG_PHASES = [
  'Pending',
  'Active',
  'Expired',
  'Failed',
  'Ended',
] as const;

/**
 * Pending: the debug container is being added or is not running yet.
 * Active: it runs. Expired: its TTL ran out and the controller ended it.
 * Failed: it could not be started. Ended: it ended before its TTL (its
 * process exited, or its pod went away).
 * @public
 */
export type DebugPhase = (typeof DEBUG_PHASES)[number];

/** @public */
export interface DebugSessionSpec {
  /** The pod to debug, in the session's namespace. */
  podName: string;
  /** The container whose namespaces the debug container joins (ephemeral), or whose command becomes a sleep (copy). */
  targetContainer: string;
  /** A toolkit of the controller's catalog; exactly one of `toolkit` and `image`. */
  toolkit?: string;
  /** An image outside the catalog (the portal allows this to ops only). */
  image?: string;
  /** Defaults to the toolkit's profile, or `general` for an image. */
  profile?: DebugProfile;
  /** Defaults to `ephemeral`. */
  mode?: DebugMode;
  /** Seconds from the start until the session expires; defaults to 3600, capped by the controller's configuration. */
  ttlSeconds?: number;
  /** Who asked for the session (a Backstage user entity reference), for the audit. */
  requestedBy?: string;
}

/** A condition in Kubernetes' `metav1.Condition` shape. @public */
export interface DebugSessionCondition {
  /** `Ready`: the debug container runs. */
  type: 'Ready';
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** @public */
export interface DebugSessionStatus {
  phase?: DebugPhase;
  /** The debug container's name (in the pod, or in its copy). */
  containerName?: string;
  /** The pod the session started on; a later change of the spec does not move it. */
  podName?: string;
  /** The copy's name, in copy mode. */
  copyPodName?: string;
  /** The image the debug container runs. */
  image?: string;
  /** When the controller started the session; the TTL counts from here. */
  startedAt?: string;
  /** `startedAt` + min(ttlSeconds, the controller's cap). */
  expiresAt?: string;
  /** When the session left Pending/Active. */
  endedAt?: string;
  /** The generation the session started with; a session runs the spec it started with, and a changed spec ends it. */
  observedGeneration?: number;
  conditions?: DebugSessionCondition[];
}

/** @public */
export interface DebugSession {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: DebugSessionSpec;
  status?: DebugSessionStatus;
}

/** One entry of the toolkit catalog. @public */
export interface DebugToolkit {
  /** What `spec.toolkit` names. */
  name: string;
  image: string;
  /** The profile a session gets unless it names one. */
  profile: DebugProfile;
  /** What the toolkit is for, shown in the portal. */
  description: string;
  /** The debug container's command; the image's own ENTRYPOINT/CMD when absent (as `kubectl debug` without `--`). */
  command?: string[];
}
