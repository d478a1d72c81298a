/*
 * What Cairn's benchmark scripts (the bench/ folders of packages, plugins and
 * operators) share.
 */
export { benchOptions, POSTGRES_URL_OPTION, positiveInt } from './options';
export type { BenchOptions } from './options';
export { median, percentile, summarize } from './statistics';
export type { Summary } from './statistics';
export { pool } from './pool';
export {
  REPO_ROOT,
  codeVersion,
  describeLoad,
  loadAverage,
  machine,
} from './machine';
export {
  cpuSeconds,
  machineCpuBusy,
  machineCpuTimes,
  residentSetBytes,
  sampleResidentPeak,
} from './procStats';
export type { MachineCpuTimes } from './procStats';
export { writeDocSection } from './docSection';
export type { DocSection } from './docSection';
export { publishReport, runBenchMain } from './report';
export {
  BenchChild,
  NODE_TRANSFORM,
  announceReady,
  cleanUpOnExit,
  freePort,
  log,
  replyWithMemory,
  runChildMain,
  stopWithParent,
} from './processes';
export type { BenchChildOptions, ExitCleanup } from './processes';
