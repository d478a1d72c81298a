/**
 * The events backend's HTTP ingress (`POST /api/events/http/<topic>`) made
 * safe for webhooks: a body that is not JSON is a 400 (not a 500), and a 2xx
 * is answered only once every subscriber in the process took the event — a
 * 503 otherwise, so the sender retries instead of losing it.
 *
 * @packageDocumentation
 */
import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { eventsModuleJsonBodyParser } from './module';
import { acknowledgedEventsServiceFactory } from './service';

export default createBackendFeatureLoader({
  loader() {
    return [eventsModuleJsonBodyParser, acknowledgedEventsServiceFactory];
  },
});
export { eventsModuleJsonBodyParser } from './module';
export { acknowledgedEventsServiceFactory } from './service';
export { AcknowledgedEventsService } from './AcknowledgedEventsService';
export type { SubscriberFailures } from './AcknowledgedEventsService';
export { jsonBodyParser } from './jsonBodyParser';
