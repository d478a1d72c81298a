import { Config } from '@backstage/config';
import { CustomErrorBase } from '@backstage/errors';
import { DEFAULT_MAX_YAML_BYTES } from '@cairn/plugin-template-store-common';

/** What the store accepts at most (`templateStore.limits`). */
export interface ImportLimits {
  maxYamlBytes: number;
  maxArchiveBytes: number;
  maxArchiveFiles: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxYamlBytes: DEFAULT_MAX_YAML_BYTES,
  maxArchiveBytes: 50 * 1024 * 1024,
  maxArchiveFiles: 10_000,
};

export function readImportLimits(config: Config): ImportLimits {
  const limits = config.getOptionalConfig('templateStore.limits');
  return {
    maxYamlBytes:
      limits?.getOptionalNumber('maxYamlBytes') ?? DEFAULT_LIMITS.maxYamlBytes,
    maxArchiveBytes:
      limits?.getOptionalNumber('maxArchiveBytes') ??
      DEFAULT_LIMITS.maxArchiveBytes,
    maxArchiveFiles:
      limits?.getOptionalNumber('maxArchiveFiles') ??
      DEFAULT_LIMITS.maxArchiveFiles,
  };
}

/** A body or archive over a limit: answered 413 by Backstage's error handler. */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}
