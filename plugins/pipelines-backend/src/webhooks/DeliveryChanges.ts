import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  WEBHOOK_DELIVERIES_SIGNAL_CHANNEL,
  WebhookDeliveriesChangedSignal,
} from '@cairn/plugin-pipelines-common';

/**
 * Tells open delivery pages that deliveries were stored or processed: a
 * signal on WEBHOOK_DELIVERIES_SIGNAL_CHANNEL, at most one per `throttleMs`
 * however many deliveries arrive (each open page lists them again on a
 * signal, so a burst of a thousand deliveries must not be a thousand
 * lists). The first change after a quiet spell is signalled at once; later
 * ones wait for the end of the interval, none is dropped.
 */
export class DeliveryChanges {
  private changes = 0;
  private lastSentAt = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: {
      signals: SignalsService;
      logger: LoggerService;
      /** Default 500 ms. */
      throttleMs?: number;
    },
  ) {}

  changed(): void {
    this.changes++;
    if (this.timer) return;
    const throttleMs = this.options.throttleMs ?? 500;
    const wait = Math.max(0, this.lastSentAt + throttleMs - Date.now());
    this.timer = setTimeout(() => this.send(), wait);
    // Pending signals do not keep a stopping backend alive.
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private send(): void {
    this.timer = undefined;
    this.lastSentAt = Date.now();
    const message: WebhookDeliveriesChangedSignal = { changed: this.changes };
    this.changes = 0;
    this.options.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: WEBHOOK_DELIVERIES_SIGNAL_CHANNEL,
        message: { ...message },
      })
      .catch(error =>
        this.options.logger.warn(
          `could not signal webhook delivery changes: ${error}`,
        ),
      );
  }
}
