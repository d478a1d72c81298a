/** The Stone's API group, version and kind. @public */
export const STONE_GROUP = 'rollouts.cairn.dev';
/** @public */
export const STONE_VERSION = 'v1alpha1';
/** @public */
export const STONE_API_VERSION = `${STONE_GROUP}/${STONE_VERSION}`;
/** @public */
export const STONE_KIND = 'Stone';
/** @public */
export const STONE_PLURAL = 'stones';

/** Label on a Stone's pods, PVCs and Services: the Stone's name. @public */
export const LABEL_STONE = 'rollouts.cairn.dev/stone';
/** Label on a Stone's pods, PVCs and group Services: the group's name. @public */
export const LABEL_GROUP = 'rollouts.cairn.dev/group';
/** Label on a Stone's pods: the pod's index in its group. @public */
export const LABEL_POD_INDEX = 'rollouts.cairn.dev/pod-index';
/** Label on a Stone's pods: the ControllerRevision they run, as StatefulSet's pods carry it. @public */
export const LABEL_REVISION = 'controller-revision-hash';

/**
 * Label of the short-lived pods that pull a revision's new images on a node
 * before its serving pods are touched: the revision. They do not carry the
 * Stone's label, so no Service of the Stone selects them.
 * @public
 */
export const LABEL_PRE_PULL = 'rollouts.cairn.dev/pre-pull';
/** Label of a pre-pull pod: the Stone it pulls for. @public */
export const LABEL_PRE_PULL_FOR = 'rollouts.cairn.dev/pre-pull-for';

/** Readiness gate of a Stone's pods; False while a pod is updated in place. @public */
export const CONDITION_IN_PLACE_READY = 'rollouts.cairn.dev/in-place-ready';
/**
 * Annotation on a pod updated in place: the revision, when, and the image
 * and container IDs its changed containers had before the patch.
 * @public
 */
export const ANNOTATION_IN_PLACE_STATE = 'rollouts.cairn.dev/in-place-update';

/** Node labels of the topology. Kubernetes has no rack label; Cairn's key is configurable. @public */
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
/** @public */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
/** @public */
export const DEFAULT_RACK_LABEL = 'topology.cairn.dev/rack';

/** Defaults of optional spec fields. @public */
export const STONE_DEFAULTS = {
  updateType: 'InPlaceIfPossible',
  maxUnavailable: 1,
  gracePeriodSeconds: 0,
  progressDeadlineSeconds: 600,
  revisionHistoryLimit: 10,
} as const;
