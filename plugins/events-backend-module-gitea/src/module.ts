import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import { createGiteaSignatureValidator } from './giteaSignatureValidator';
import { GiteaEventRouter } from './GiteaEventRouter';

/** POST /api/events/http/gitea, accepted only with a valid signature. */
export const eventsModuleGiteaWebhook = createBackendModule({
  pluginId: 'events',
  moduleId: 'gitea-webhook',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        events: eventsExtensionPoint,
      },
      async init({ config, events }) {
        events.addHttpPostIngress({
          topic: 'gitea',
          validator: createGiteaSignatureValidator(config),
        });
      },
    });
  },
});

/** Routes `gitea` events to `gitea.push`, `gitea.pull_request`, … */
export const eventsModuleGiteaEventRouter = createBackendModule({
  pluginId: 'events',
  moduleId: 'gitea-event-router',
  register(env) {
    env.registerInit({
      deps: { events: eventsServiceRef },
      async init({ events }) {
        await new GiteaEventRouter({ events }).subscribe();
      },
    });
  },
});
