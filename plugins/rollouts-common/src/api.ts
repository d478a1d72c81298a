import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { Stone, StoneStage } from '@cairn/operators-api';
import type { ClusterError } from '@cairn/plugin-kubernetes-common';

/*
 * The shapes the rollouts backend serves and the frontend reads: one
 * definition for both sides of `/api/rollouts`.
 */

export type { ClusterError } from '@cairn/plugin-kubernetes-common';

/** Identifies a Stone. @public */
export interface StoneRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** What the lists show of a Stone (`GET /stones`). @public */
export interface StoneSummary extends StoneRef {
  /** The catalog entity the Stone belongs to; its actions are checked on it. */
  entityRef: string;
  /** `metadata.resourceVersion`: what a change request sends back. */
  resourceVersion: string;
  /** `metadata.generation`: a change request sends it back too (see the request schemas). */
  generation?: number;
  /** The current stage (`spec.strategy`). */
  strategy: StoneStage;
  /** `spec.paused`, or paused by the operator on a failing pod. */
  paused: boolean;
  pausedReason?: string;
  /** The revision every pod ran before the update; unset until a first release is complete. */
  currentRevision?: string;
  /** The revision of the pod template. */
  updateRevision?: string;
  /** Pods that exist. */
  replicas: number;
  /** Pods the stage wants to exist. */
  desiredReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  /** The operator's Degraded condition. */
  degraded: boolean;
  degradedReason?: string;
  degradedMessage?: string;
  /** The current stage's pods are updated and ready (as observed for the current spec). */
  stageComplete: boolean;
  /** When the current stage began (ISO 8601), if known. */
  stageStartedAt?: string;
}

/** A list of Stones. @public */
export interface StoneList {
  items: StoneSummary[];
  clusterErrors: ClusterError[];
}

/** A pod of a Stone where it runs. @public */
export interface StonePod {
  name: string;
  namespace: string;
  group: string;
  /** Its index in the group (`<stone>-<group>-<index>`). */
  index: number;
  /** The node's zone, or, while not scheduled, the zone its coordinate requires. */
  zone?: string;
  rack?: string;
  /** The node (`spec.nodeName`); unset while not scheduled. */
  host?: string;
  /** The ControllerRevision it runs (label `controller-revision-hash`). */
  revision?: string;
  ready: boolean;
  phase: string;
  /** Container restarts, summed. */
  restarts: number;
  createdAt: string;
  deletionTimestamp?: string;
}

/** A ControllerRevision of a Stone. @public */
export interface StoneRevision {
  name: string;
  /** Kubernetes' revision number: higher is newer. */
  revision: number;
  /** The template hash (the name after `<stone>-`). */
  hash: string;
  createdAt: string;
  template: V1PodTemplateSpec;
}

/** One approval of a stage, as the rollouts backend records it. @public */
export interface StoneApproval {
  stage: StoneStage;
  /** The update revision the stage was approved for. */
  revision: string;
  /** User entity ref of the approver. */
  approvedBy: string;
  approvedAt: string;
  comment?: string;
  /** Approved although the Stone was Degraded or its stage incomplete. */
  forced: boolean;
}

/** A Stone with everything its tab shows (`GET /stones/:cluster/:namespace/:name`). @public */
export interface StoneDetail {
  summary: StoneSummary;
  stone: Stone;
  pods: StonePod[];
  /** Newest first. */
  revisions: StoneRevision[];
  /** Newest first. */
  approvals: StoneApproval[];
  clusterErrors: ClusterError[];
}

/**
 * The routes of `/api/rollouts`; the backend registers exactly these and
 * builds its OpenAPI document from them. Every change answers 409 when
 * `resourceVersion` is not the Stone's (someone changed it meanwhile).
 * @public
 */
export const ROLLOUTS_API_ROUTES = {
  listStones: {
    method: 'get',
    path: '/stones',
    summary:
      'Stones of the entity (?entityRef=), or without it of every entity the caller may read, across the configured clusters',
  },
  getStone: {
    method: 'get',
    path: '/stones/:cluster/:namespace/:name',
    summary: 'A Stone with its pods, revisions and approvals',
  },
  approveStage: {
    method: 'post',
    path: '/stones/:cluster/:namespace/:name/approve',
    summary: 'Approve the next stage: spec.strategy becomes it',
  },
  startUpdate: {
    method: 'post',
    path: '/stones/:cluster/:namespace/:name/update',
    summary:
      'Start a staged update: the new template (images, other changes) and strategy Alpha in one patch',
  },
  pause: {
    method: 'post',
    path: '/stones/:cluster/:namespace/:name/pause',
    summary: 'Pause the update: no pod moves to another revision',
  },
  resume: {
    method: 'post',
    path: '/stones/:cluster/:namespace/:name/resume',
    summary: 'Resume a paused update',
  },
  abort: {
    method: 'post',
    path: '/stones/:cluster/:namespace/:name/abort',
    summary: 'Abort the update: every pod goes back to the current revision',
  },
  rollback: {
    method: 'post',
    path: '/stones/:cluster/:namespace/:name/rollback',
    summary: 'Roll back to an earlier revision',
  },
} as const;

/** @public */
export type RolloutsApiOperation = keyof typeof ROLLOUTS_API_ROUTES;

/** Where the rollouts backend is mounted. @public */
export const ROLLOUTS_PLUGIN_ID = 'rollouts';

/**
 * The Signals channel on which the backend announces a changed Stone; open
 * pages refetch it.
 * @public
 */
export const ROLLOUTS_SIGNAL_CHANNEL = 'rollouts:stones';

/** The message on {@link ROLLOUTS_SIGNAL_CHANNEL}. @public */
export interface StoneChangedSignal extends StoneRef {
  entityRef: string;
}
