import { ServiceUnavailableError } from '@backstage/errors';
import {
  EventParams,
  EventsService,
  EventsServiceSubscribeOptions,
} from '@backstage/plugin-events-node';

/** The subscribers that could not take an event, by the event published. */
export type SubscriberFailures = WeakMap<EventParams, string[]>;

/**
 * An EventsService whose `publish` fails when a subscriber in this process
 * could not take the event (its handler threw). The events backend's
 * in-process bus logs such a failure and carries on, so its HTTP ingress
 * would answer 202 for an event nobody stored, and the sender would never
 * send it again. With this service the publish throws a 503 instead, which
 * the ingress answers, and the Git server retries the delivery.
 *
 * Failures are matched to the publish by the event object, which the
 * in-process bus hands to every subscriber as is. Only the services made with
 * `reportFailures` (the events backend's) throw; other plugins' publishes
 * behave as before.
 */
export class AcknowledgedEventsService implements EventsService {
  constructor(
    private readonly events: EventsService,
    private readonly failures: SubscriberFailures,
    private readonly options: { pluginId: string; reportFailures: boolean },
  ) {}

  async publish(params: EventParams): Promise<void> {
    if (!this.options.reportFailures) {
      await this.events.publish(params);
      return;
    }
    const failed: string[] = [];
    this.failures.set(params, failed);
    try {
      await this.events.publish(params);
    } finally {
      this.failures.delete(params);
    }
    if (failed.length > 0) {
      throw new ServiceUnavailableError(
        `The ${params.topic} event was not taken by ${failed.join(
          ', ',
        )}; nothing is lost if it is sent again`,
      );
    }
  }

  async subscribe(options: EventsServiceSubscribeOptions): Promise<void> {
    const subscriber = `${this.options.pluginId}.${options.id}`;
    await this.events.subscribe({
      ...options,
      onEvent: async params => {
        try {
          await options.onEvent(params);
        } catch (error) {
          this.failures.get(params)?.push(subscriber);
          throw error;
        }
      },
    });
  }
}
