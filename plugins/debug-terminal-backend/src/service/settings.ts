import { Config } from '@backstage/config';
import {
  DEBUG_SESSION_DEFAULTS,
  DebugToolkit,
  DEFAULT_DEBUG_TOOLKITS,
  parseDebugToolkits,
} from '@cairn/operators-api';

/** The debug terminal's configuration (`debugTerminal.*`). */
export interface DebugTerminalSettings {
  toolkits: readonly DebugToolkit[];
  maxTtlSeconds: number;
  idleTimeoutSeconds: number;
  maxSessionsPerUser: number;
  recordingMaxBytes: number;
  recordingRetentionDays: number;
}

/** Reads `debugTerminal.*`; a bad toolkit catalog stops the backend with the entry at fault. */
export function readDebugTerminalSettings(
  config: Config,
): DebugTerminalSettings {
  const section = config.getOptionalConfig('debugTerminal');
  const raw = section?.getOptional('toolkits');
  let toolkits: readonly DebugToolkit[] = DEFAULT_DEBUG_TOOLKITS;
  if (raw !== undefined) {
    try {
      toolkits = parseDebugToolkits(raw);
    } catch (error) {
      throw new Error(`debugTerminal.${(error as Error).message}`);
    }
  }
  return {
    toolkits,
    maxTtlSeconds:
      section?.getOptionalNumber('maxTtlSeconds') ??
      DEBUG_SESSION_DEFAULTS.maxTtlSeconds,
    idleTimeoutSeconds: section?.getOptionalNumber('idleTimeoutSeconds') ?? 900,
    maxSessionsPerUser: section?.getOptionalNumber('maxSessionsPerUser') ?? 5,
    recordingMaxBytes:
      section?.getOptionalNumber('recording.maxBytes') ?? 5 * 1024 * 1024,
    recordingRetentionDays:
      section?.getOptionalNumber('recording.retentionDays') ?? 90,
  };
}
