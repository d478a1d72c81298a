import { createBackendModule } from '@backstage/backend-plugin-api';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import { jsonBodyParser } from './jsonBodyParser';

/** `application/json` bodies that are not JSON answered 400, not 500. */
export const eventsModuleJsonBodyParser = createBackendModule({
  pluginId: 'events',
  moduleId: 'json-body-parser',
  register(env) {
    env.registerInit({
      deps: { events: eventsExtensionPoint },
      async init({ events }) {
        events.addHttpPostBodyParser({
          contentType: 'application/json',
          parser: jsonBodyParser,
        });
      },
    });
  },
});
