export {
  ProcessRuntime,
  ContainerStartError,
  ContainerNotRunningError,
  findExecutable,
} from './processRuntime';
export type {
  ContainerConfig,
  ContainerExit,
  ContainerInfo,
  ProcessRuntimeOptions,
  RuntimeVolumeMount,
} from './processRuntime';
export { StreamSession } from './session';
export type { SessionEnd, SessionControls } from './session';
export { resolveProgram, expandVariables } from './command';
export type { ContainerProgram, ImageConfig, ProgramInputs } from './command';
export {
  CriLogWriter,
  formatRfc3339Nano,
  parseRfc3339Nanos,
  parseCriLog,
  renderLog,
  readLogFile,
  nowNanos,
} from './logs';
export type { LogEntry, LogOptions, LogStream } from './logs';
export * from './streamProtocol';
export { dialLoopback, handlePortForwardUpgrade } from './portForward';
