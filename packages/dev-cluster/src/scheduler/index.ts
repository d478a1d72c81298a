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
export type { ResourceAmounts } from './resources';
export {
  compileLabelSelector,
  matchesNodeSelectorTerm,
  matchesRequiredNodeAffinity,
  toleratesTaint,
  findUntoleratedTaint,
} from './selectors';
