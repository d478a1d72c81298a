import type {
  IntOrString,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1PodTemplateSpec,
  V1ServiceSpec,
} from '@kubernetes/client-node';

/*
 * `rollouts.cairn.dev/v1alpha1` Stone. Field names follow nuwa's Stone
 * (yametech/nuwa api/v1/stone_types.go) so its users feel at home; the update
 * strategy and status follow OpenKruise's CloneSet.
 */

/** The stages of a release, in order. @public */
export const STONE_STAGES = ['Alpha', 'Beta', 'Omega', 'Release'] as const;

/**
 * How many pods of a Stone run its update revision: Alpha 1 pod (the first
 * pod of the first group), Beta 1 per group, Omega 1 per listed host in every
 * group, Release all.
 * @public
 */
export type StoneStage = (typeof STONE_STAGES)[number];

/** How a pod moves to a new revision. @public */
export const STONE_UPDATE_TYPES = [
  'InPlaceIfPossible',
  'InPlaceOnly',
  'ReCreate',
] as const;

/** @public */
export type StoneUpdateType = (typeof STONE_UPDATE_TYPES)[number];

/** One machine position of a group: pod n of the group takes `zoneset[n % len]`. @public */
export interface StoneCoordinate {
  /** Required: the pod only runs on nodes of this zone. */
  zone: string;
  /** Preferred: nodes of this rack. */
  rack?: string;
  /** Preferred: this node (`kubernetes.io/hostname`). */
  host?: string;
}

/** A group of pods over a set of machine positions. @public */
export interface StoneCoordinatesGroup {
  /** A DNS label; part of pod and Service names. */
  group: string;
  replicas: number;
  zoneset: StoneCoordinate[];
}

/** @public */
export interface StoneUpdateStrategy {
  /** Defaults to `InPlaceIfPossible`. */
  type?: StoneUpdateType;
  /** Pods not ready at once while updating: a number or a percentage of the desired pods; defaults to 1. */
  maxUnavailable?: IntOrString;
  /** Seconds between taking a pod out of its Services and patching it in place; defaults to 0. */
  gracePeriodSeconds?: number;
  /** Pull the new images on each target node before any serving pod is touched. */
  prePull?: boolean;
}

/** @public */
export interface StoneSpec {
  template: V1PodTemplateSpec;
  /** A PersistentVolumeClaim per pod from each, named `<claim>-<pod>` as a StatefulSet names them. */
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  /** The Services `<stone>` (all pods) and `<stone>-<group>` (that group's pods) take this spec; the selector is set by the controller. */
  service?: V1ServiceSpec;
  coordinates: StoneCoordinatesGroup[];
  strategy: StoneStage;
  updateStrategy?: StoneUpdateStrategy;
  /** No pod is moved to another revision while set; the replica count is still kept. */
  paused?: boolean;
  /** Seconds an updated pod has to become ready before the Stone pauses; defaults to 600. */
  progressDeadlineSeconds?: number;
  /** ControllerRevisions kept besides those pods run; defaults to 10. */
  revisionHistoryLimit?: number;
}

/** A condition in Kubernetes' `metav1.Condition` shape. @public */
export interface StoneCondition {
  type: StoneConditionType;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** @public */
export type StoneConditionType =
  | 'Available'
  | 'Progressing'
  | 'Degraded'
  | 'Paused';

/** @public */
export interface StoneGroupStatus {
  group: string;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
}

/** @public */
export interface StoneStatus {
  observedGeneration?: number;
  /** Pods that exist (not being deleted). */
  replicas: number;
  readyReplicas: number;
  /** Pods labelled with the update revision. */
  updatedReplicas: number;
  updatedReadyReplicas: number;
  /** Pods the current stage wants to exist (all of them during an update; the stage's on a first release). */
  desiredReplicas: number;
  /** The stage the counts and `stageComplete` describe (`spec.strategy` when observed). */
  stage?: StoneStage;
  /** The revision every pod ran before the update; unset until a first release is complete. */
  currentRevision?: string;
  /** The revision of `spec.template`. */
  updateRevision?: string;
  groups: StoneGroupStatus[];
  conditions: StoneCondition[];
  /** The current stage's pods are updated and ready. */
  stageComplete: boolean;
}

/** @public */
export interface Stone {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: StoneSpec;
  status?: StoneStatus;
}
