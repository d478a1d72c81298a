import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  DefaultEventsService,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  AcknowledgedEventsService,
  SubscriberFailures,
} from './AcknowledgedEventsService';

/**
 * The events service of `@backstage/plugin-events-node`'s factory (one
 * in-process bus, the events backend's bus for other backends), with the
 * events backend's publishes acknowledged: its HTTP ingress answers 2xx only
 * once every subscriber took the event (see AcknowledgedEventsService).
 */
export const acknowledgedEventsServiceFactory = createServiceFactory({
  service: eventsServiceRef,
  deps: {
    pluginMetadata: coreServices.pluginMetadata,
    rootLogger: coreServices.rootLogger,
    discovery: coreServices.discovery,
    logger: coreServices.logger,
    lifecycle: coreServices.lifecycle,
    auth: coreServices.auth,
    config: coreServices.rootConfig,
  },
  async createRootContext({ rootLogger, config }) {
    return {
      events: DefaultEventsService.create({ logger: rootLogger, config }),
      failures: new WeakMap() as SubscriberFailures,
    };
  },
  async factory({ pluginMetadata, discovery, logger, lifecycle, auth }, root) {
    const pluginId = pluginMetadata.getId();
    return new AcknowledgedEventsService(
      root.events.forPlugin(pluginId, { discovery, logger, lifecycle, auth }),
      root.failures,
      { pluginId, reportFailures: pluginId === 'events' },
    );
  },
});
