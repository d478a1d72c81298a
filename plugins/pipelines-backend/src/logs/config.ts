import { Config } from '@backstage/config';

/** The `pipelines.logs` settings, checked. */
export interface LogsConfig {
  retentionDays: number;
  maxStepBytes: number;
}

/** Reads `pipelines.logs` (see config.d.ts), refusing values that make no sense. */
export function readLogsConfig(config: Config): LogsConfig {
  const retentionDays =
    config.getOptionalNumber('pipelines.logs.retentionDays') ?? 30;
  if (!(retentionDays > 0)) {
    throw new Error(
      `pipelines.logs.retentionDays must be a positive number of days, not ${retentionDays}`,
    );
  }
  const maxStepBytes =
    config.getOptionalNumber('pipelines.logs.maxStepBytes') ?? 20 * 1024 * 1024;
  if (!Number.isSafeInteger(maxStepBytes) || maxStepBytes < 1024) {
    throw new Error(
      `pipelines.logs.maxStepBytes must be a whole number of bytes, at least 1024, not ${maxStepBytes}`,
    );
  }
  return { retentionDays, maxStepBytes };
}
