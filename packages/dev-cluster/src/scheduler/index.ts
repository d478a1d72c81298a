export {
  schedulePod,
  scheduleOnSnapshot,
  unschedulableCondition,
  scheduledEventMessage,
  bindingFor,
  schedulingEvent,
} from './schedule';
export type { ScheduleOptions, ScheduleResult } from './schedule';
export { SchedulingSnapshot, occupiesNode } from './snapshot';
export type { NodeInfo, PodInfo } from './snapshot';
export { podRequests, nodeAllocatable } from './resources';
export {
  prepareVolumeBinding,
  REASON_BOUND_TO_MISSING_VOLUME,
  REASON_UNBOUND_IMMEDIATE,
  REASON_VOLUME_NODE_AFFINITY,
} from './volumeBinding';
export type { ClaimLookup, ClaimState, VolumeBinding } from './volumeBinding';
export type { ResourceAmounts } from './resources';
export {
  compileLabelSelector,
  matchesNodeSelectorTerm,
  matchesRequiredNodeAffinity,
  toleratesTaint,
  findUntoleratedTaint,
} from './selectors';
