export { DatabaseLogStore } from './LogStore';
export type { ArchivedRun, ArchivedStepLog, LogStore } from './LogStore';
export { StepLogService } from './StepLogService';
export type {
  FollowedStepLog,
  StepLog,
  StepLogServiceOptions,
} from './StepLogService';
