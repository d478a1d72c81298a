import { Config } from '@backstage/config';

/** `pipelines.webhooks` of the config (see config.d.ts). */
export function readWebhooksConfig(config: Config): { retentionDays: number } {
  const retentionDays =
    config.getOptionalNumber('pipelines.webhooks.retentionDays') ?? 14;
  if (!(retentionDays > 0)) {
    throw new Error(
      `pipelines.webhooks.retentionDays must be a positive number of days, not ${retentionDays}`,
    );
  }
  return { retentionDays };
}
