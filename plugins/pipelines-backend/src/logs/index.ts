export { DatabaseLogStore } from './LogStore';
export type {
  ArchivedRun,
  LogAppend,
  LogChunk,
  LogStore,
  StepArchive,
  StepArchiveState,
  StepKey,
} from './LogStore';
export { StepLogArchiver } from './StepLogArchiver';
export type { StepLogArchiverOptions } from './StepLogArchiver';
export { StepLogService } from './StepLogService';
export type {
  StepLogMatch,
  StepLogRead,
  StepLogRequest,
  StepLogServiceOptions,
} from './StepLogService';
export type { ResumePoint } from './timestampedLines';
